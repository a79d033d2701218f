import type { Unsubscribable } from '@trpc/server/observable';
import type { WatchedEvent } from '../domain/server-events';
import { trpc } from '../client/trpc';

export interface LoggedEvent {
	id: string;
	at: number;
	text: string;
	level: 'info' | 'warn';
}

const KEEP = 50;

/** The server's events for this user (budget alerts, circuit changes, reply states), newest first. */
class EventLogState {
	events = $state<LoggedEvent[]>([]);
	#subscription: Unsubscribable | null = null;

	start(): void {
		if (this.#subscription) return;
		this.#subscription = trpc.events.watch.subscribe(undefined, {
			onData: ({ id, data }) => {
				const entry = describe(data);
				if (entry) this.events = [{ id, at: data.at, ...entry }, ...this.events].slice(0, KEEP);
			}
		});
	}

	stop(): void {
		this.#subscription?.unsubscribe();
		this.#subscription = null;
	}
}


function describe(event: WatchedEvent): Omit<LoggedEvent, 'id' | 'at'> | null {
	switch (event.type) {
		case 'budget-alert':
			return { level: 'warn', text: `Budget: ${event.scope} spend reached ${event.threshold}% of the ${event.period} limit.` };
		case 'breaker':
			return { level: event.state === 'closed' ? 'info' : 'warn', text: `Circuit ${event.state} for ${event.model}.` };
		case 'fallback':
			return { level: 'warn', text: `Fell back from ${event.from} to ${event.to}: ${event.reason}` };
		case 'retry':
			return { level: 'info', text: `Retrying ${event.model} (attempt ${event.attempt}): ${event.reason}` };
		case 'generation':
			return event.state === 'failed' ? { level: 'warn', text: `Reply failed: ${event.reason ?? 'unknown reason'}` } : null;
		default:
			return null;
	}
}

export const eventLog = new EventLogState();
