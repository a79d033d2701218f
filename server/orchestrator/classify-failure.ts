import { BrokenCircuitError, TaskCancelledError } from 'cockatiel';
import { APIConnectionError, APIConnectionTimeoutError, APIError, APIUserAbortError } from 'openai';
import { OrchestratorError, type FailureKind } from './orchestrator-error';

/** Why we aborted an upstream request ourselves; the abort reason tells the kinds apart. */
export class IdleTimeoutError extends Error {
	override name = 'IdleTimeoutError';
}
export class FirstTokenTimeoutError extends Error {
	override name = 'FirstTokenTimeoutError';
}
export class PrematureEndError extends Error {
	override name = 'PrematureEndError';
}

const KIND_OF_STATUS: Record<number, FailureKind> = {
	400: 'bad-request',
	401: 'unauthorized',
	402: 'budget',
	403: 'forbidden',
	404: 'bad-request',
	408: 'timeout',
	413: 'bad-request',
	422: 'bad-request',
	429: 'rate-limited'
};

/**
 * Only these may be retried, and only before the first token: 408, 429, 5xx and network errors.
 * A first-token timeout is not: the same model would likely hang again, and the next model
 * in the list answers sooner than a second full timeout would.
 */
export function isRetryable(error: unknown): boolean {
	const status = statusOf(error);
	if (status !== undefined) return status === 408 || status === 429 || status >= 500;
	return isNetworkError(error);
}

/** The connection failed or dropped: the SDK's connection error, or fetch's body stream ending abruptly. */
export function isNetworkError(error: unknown): boolean {
	if (error instanceof APIUserAbortError) return false;
	if (error instanceof APIConnectionError) return true;
	if (!(error instanceof TypeError)) return false;
	const code = (error.cause as { code?: unknown } | undefined)?.code;
	return error.message === 'terminated' || error.message === 'fetch failed' || (typeof code === 'string' && /^(E|UND_ERR_)/.test(code));
}

/** Provider health: client mistakes (4xx other than 408/429) and user aborts say nothing about it. */
export function countsAgainstProvider(error: unknown): boolean {
	if (error instanceof OrchestratorError) return error.kind !== 'cancelled' && error.kind !== 'bad-request';
	if (error instanceof APIUserAbortError) return false;
	if (error instanceof Error && error.name === 'AbortError') return false;
	const status = statusOf(error);
	if (status !== undefined) return status === 408 || status === 429 || status >= 500;
	return true;
}

/** May the next model in the list answer instead? Not for our own mistakes or the caller's abort. */
export function allowsFallback(error: OrchestratorError): boolean {
	return !['cancelled', 'unauthorized', 'budget'].includes(error.kind) && !(error.kind === 'bad-request' && error.details.status !== 404);
}

/** Seconds from a Retry-After header (seconds or an HTTP date), when the error carries one. */
export function retryAfterSeconds(error: unknown): number | undefined {
	if (!(error instanceof APIError)) return undefined;
	const value = error.headers?.get?.('retry-after');
	if (!value) return undefined;
	const seconds = Number(value);
	if (Number.isFinite(seconds) && seconds >= 0) return seconds;
	const date = Date.parse(value);
	return Number.isNaN(date) ? undefined : Math.max(0, (date - Date.now()) / 1000);
}

function statusOf(error: unknown): number | undefined {
	if (error instanceof APIError) {
		if (typeof error.status === 'number') return error.status;
		// An error chunk after HTTP 200 carries its code in the body.
		const code = (error.error as { code?: unknown } | undefined)?.code;
		return typeof code === 'number' ? code : 502;
	}
	return undefined;
}

/** Turns anything thrown on the way to or during a stream into an error a person can act on. */
export function toOrchestratorError(error: unknown, model: string, afterFirstToken: boolean): OrchestratorError {
	if (error instanceof OrchestratorError) return error;
	const d = { model, afterFirstToken };
	if (error instanceof APIUserAbortError || (error instanceof Error && error.name === 'AbortError')) {
		return new OrchestratorError('cancelled', 'Stopped.', d, { cause: error });
	}
	if (error instanceof BrokenCircuitError) {
		return new OrchestratorError('unavailable', `${model} is failing right now; Phosphor paused calls to it for a while.`, d, {
			cause: error
		});
	}
	if (error instanceof FirstTokenTimeoutError || error instanceof TaskCancelledError) {
		return new OrchestratorError('timeout', `${model} did not start answering in time.`, d, { cause: error });
	}
	if (error instanceof IdleTimeoutError) {
		return new OrchestratorError('timeout', `${model} stopped sending in the middle of the reply.`, d, { cause: error });
	}
	if (error instanceof PrematureEndError) {
		return new OrchestratorError('upstream', `${model}'s reply was cut off: the stream ended before it was complete.`, d, {
			cause: error
		});
	}
	if (error instanceof APIConnectionTimeoutError) {
		return new OrchestratorError('timeout', `The model provider did not answer in time (${model}).`, d, { cause: error });
	}
	if (isNetworkError(error)) {
		return new OrchestratorError('upstream', `The model provider could not be reached or dropped the connection (${model}).`, d, {
			cause: error
		});
	}
	if (error instanceof APIError) {
		const status = statusOf(error) ?? 502;
		const kind = KIND_OF_STATUS[status] ?? (status >= 500 ? 'upstream' : 'bad-request');
		const text = providerMessage(error);
		return new OrchestratorError(kind, sentence(`${model}: the provider answered ${status}${text ? ` — ${text}` : ''}`), {
			...d,
			status,
			retryAfterSeconds: retryAfterSeconds(error)
		}, { cause: error });
	}
	if (error instanceof SyntaxError) {
		return new OrchestratorError('upstream', `${model} sent a malformed chunk the stream could not be read past.`, d, {
			cause: error
		});
	}
	const message = error instanceof Error ? error.message : String(error);
	return new OrchestratorError('upstream', sentence(`${model} failed: ${message}`), d, { cause: error });
}

/**
 * Ends a reason with one full stop: a provider's own text often ends with one already, or with
 * dots of its own ("Slow down..."), which become an ellipsis rather than a run of full stops.
 */
function sentence(text: string): string {
	const trimmed = text.replace(/\s*\.{2,}$/, '…');
	return /[.!?…]$/.test(trimmed) ? trimmed : `${trimmed}.`;
}

function providerMessage(error: APIError): string {
	const body = error.error as { message?: unknown } | undefined;
	const text = typeof body?.message === 'string' ? body.message : '';
	return text.replace(/\s+/g, ' ').trim().slice(0, 300);
}
