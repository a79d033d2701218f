import { setImmediate as immediate, setTimeout as sleepFor } from 'node:timers/promises';

/** Pauses that end early (rejecting with AbortError) when the client goes away or the simulator closes. */
export async function sleep(ms: number, signal: AbortSignal): Promise<void> {
	if (ms <= 0) await immediate(undefined, { signal });
	else await sleepFor(ms, undefined, { signal });
}

/** Yields to the event loop so other streams and socket closes are seen between chunks. */
export async function yieldTurn(signal: AbortSignal): Promise<void> {
	await immediate(undefined, { signal });
}

/** For hang and stall: do nothing until the connection is gone. */
export function untilAborted(signal: AbortSignal): Promise<never> {
	return new Promise((_resolve, reject) => {
		const fail = (): void => reject(abortError());
		if (signal.aborted) fail();
		else signal.addEventListener('abort', fail, { once: true });
	});
}

export function abortError(): Error {
	return new DOMException('The operation was aborted', 'AbortError');
}

export function isAbortError(error: unknown): boolean {
	return error instanceof Error && error.name === 'AbortError';
}
