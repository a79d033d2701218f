/** What an attached client receives, in order, each with its sequence number. */
export type GenerationEvent =
	| { type: 'delta'; text: string }
	/** The whole text so far, replacing what the client has (a job no longer in memory). */
	| { type: 'snapshot'; text: string }
	/** Which model is answering (a fallback may differ from the one asked for). */
	| { type: 'model'; model: string }
	| {
			type: 'done';
			model: string;
			promptTokens: number | null;
			completionTokens: number | null;
			costUsd: number | null;
	  }
	| { type: 'failed'; reason: string }
	| { type: 'cancelled' };

export function isTerminalEvent(event: GenerationEvent): boolean {
	return event.type === 'done' || event.type === 'failed' || event.type === 'cancelled';
}

/**
 * An append-only log of one generation's events with wake-ups for readers.
 * Readers keep their own position, so any number can attach, leave and come back.
 */
export class EventLog {
	readonly events: GenerationEvent[] = [];
	#waiters = new Set<() => void>();

	get closed(): boolean {
		const last = this.events.at(-1);
		return last !== undefined && isTerminalEvent(last);
	}

	push(event: GenerationEvent): void {
		if (this.closed) return;
		this.events.push(event);
		for (const wake of this.#waiters) wake();
		this.#waiters.clear();
	}

	/** Yields [seq, event] from `from` on, then follows live until the terminal event or abort. */
	async *read(from: number, signal?: AbortSignal): AsyncGenerator<[number, GenerationEvent]> {
		let next = Math.max(0, from);
		while (!signal?.aborted) {
			while (next < this.events.length) {
				const event = this.events[next] as GenerationEvent;
				yield [next, event];
				next += 1;
				if (isTerminalEvent(event)) return;
			}
			if (this.closed) return;
			await new Promise<void>((resolve) => {
				const wake = () => {
					signal?.removeEventListener('abort', wake);
					this.#waiters.delete(wake);
					resolve();
				};
				this.#waiters.add(wake);
				signal?.addEventListener('abort', wake, { once: true });
			});
		}
	}
}
