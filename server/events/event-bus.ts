import { EventEmitter, on } from 'node:events';
import type { ServerEvent } from '../../src/lib/domain/server-events';

/** The event union lives in the shared domain, so the browser knows it without importing the server. */
export type BusEvent = ServerEvent;

export interface StampedEvent {
	seq: number;
	at: number;
	event: BusEvent;
}

/**
 * The one event bus of the process. There is exactly one instance, made at boot and passed
 * to everything that emits or listens: a second bus would swallow events silently.
 */
export class EventBus {
	#emitter = new EventEmitter();
	#seq = 0;

	constructor() {
		// Every attached client is a listener; the default cap of 10 is a false alarm here.
		this.#emitter.setMaxListeners(0);
	}

	emit(event: BusEvent): StampedEvent {
		const stamped = { seq: ++this.#seq, at: Date.now(), event };
		this.#emitter.emit('event', stamped);
		return stamped;
	}

	subscribe(listener: (event: StampedEvent) => void): () => void {
		this.#emitter.on('event', listener);
		return () => this.#emitter.off('event', listener);
	}

	/** Follows the bus until the signal aborts. */
	async *watch(signal: AbortSignal): AsyncGenerator<StampedEvent> {
		try {
			for await (const [event] of on(this.#emitter, 'event', { signal })) yield event as StampedEvent;
		} catch (error) {
			if (!signal.aborted) throw error;
		}
	}

	get listenerCount(): number {
		return this.#emitter.listenerCount('event');
	}
}
