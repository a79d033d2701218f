import type { WatchedEvent } from '../domain/server-events';
import type { SyncState } from '../client/sync/sync-engine';

export interface LoggedEvent {
	id: number;
	at: number;
	kind: 'breaker' | 'retry' | 'fallback' | 'budget' | 'reply' | 'sync';
	text: string;
	level: 'info' | 'warn' | 'error';
}

const KEEP = 200;
const PERIOD_WORD = { day: 'daily', month: 'monthly', total: 'total' } as const;

/** What happened, newest first: the server's events for this user and this device's sync state changes. */
class EventLog {
	events = $state<LoggedEvent[]>([]);
	#next = 1;
	/** The last settled state: a sync in progress ('syncing') sits between two of them. */
	#lastSync: SyncState['status'] | null = null;

	server(event: WatchedEvent): void {
		const entry = describe(event);
		if (entry) this.#add(entry, event.at);
	}

	sync(state: SyncState): void {
		if (state.status === 'syncing') return;
		const previous = this.#lastSync;
		this.#lastSync = state.status;
		if (state.status === previous) return;
		if (state.status === 'idle') {
			if (previous && previous !== 'idle') this.#add({ kind: 'sync', level: 'info', text: 'Sync: connected again, changes sent.' });
			return;
		}
		const text =
			state.status === 'offline'
				? 'Sync: offline; changes wait in the outbox.'
				: state.status === 'signed-out'
					? 'Sync: signed out; sign in again to send queued changes.'
					: `Sync failed: ${state.lastError ?? 'unknown error'}; retrying.`;
		this.#add({ kind: 'sync', level: state.status === 'error' ? 'error' : 'warn', text });
	}

	clear(): void {
		this.events = [];
	}

	#add(entry: Omit<LoggedEvent, 'id' | 'at'>, at = Date.now()): void {
		this.events = [{ id: this.#next++, at, ...entry }, ...this.events].slice(0, KEEP);
	}
}

function describe(event: WatchedEvent): Omit<LoggedEvent, 'id' | 'at'> | null {
	switch (event.type) {
		case 'budget-alert':
			return {
				kind: 'budget',
				level: event.threshold >= 100 ? 'error' : 'warn',
				text: `Budget: ${event.scope === 'team' ? 'team' : 'your'} spend reached ${event.threshold}% of the ${PERIOD_WORD[event.period]} limit.`
			};
		case 'breaker':
			return {
				kind: 'breaker',
				level: event.state === 'closed' ? 'info' : 'warn',
				text: event.state === 'open' ? `Circuit open for ${event.model}: calls fail fast for a while.` : event.state === 'half-open' ? `Circuit half-open for ${event.model}: trying one call.` : `Circuit closed for ${event.model}: it answers again.`
			};
		case 'fallback':
			return { kind: 'fallback', level: 'warn', text: `Fell back from ${event.from} to ${event.to}: ${event.reason}` };
		case 'retry':
			return { kind: 'retry', level: 'info', text: `Retrying ${event.model} in ${Math.round(event.delayMs)} ms (attempt ${event.attempt}): ${event.reason}` };
		case 'generation':
			return event.state === 'failed' ? { kind: 'reply', level: 'error', text: `Reply failed: ${event.reason ?? 'unknown reason'}` } : null;
		default:
			return null;
	}
}

export const eventLog = new EventLog();
