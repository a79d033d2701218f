export type SyncStatus = 'idle' | 'syncing' | 'offline' | 'signed-out' | 'error';

export interface SyncState {
	readonly status: SyncStatus;
	/** Outbox entries: changes the server has not confirmed yet. */
	readonly unsynced: number;
	/** When a push-and-pull last completed. */
	readonly lastSyncAt: number | null;
	/** Why the last attempt failed, for a person; null after a success. */
	readonly lastError: string | null;
}

export const INITIAL_SYNC_STATE: SyncState = { status: 'idle', unsynced: 0, lastSyncAt: null, lastError: null };

/** The engine's state as a value that tells its listeners when it changes (Svelte-store shaped). */
export class SyncStateCell {
	private current: SyncState = INITIAL_SYNC_STATE;
	private readonly listeners = new Set<(state: SyncState) => void>();

	get value(): SyncState {
		return this.current;
	}

	/** The listener gets the current state at once, then every change. */
	subscribe(listener: (state: SyncState) => void): () => void {
		this.listeners.add(listener);
		listener(this.current);
		return () => this.listeners.delete(listener);
	}

	update(patch: Partial<SyncState>): void {
		const next = { ...this.current, ...patch };
		const same = (Object.keys(next) as (keyof SyncState)[]).every((key) => next[key] === this.current[key]);
		if (same) return;
		this.current = next;
		for (const listener of this.listeners) listener(next);
	}
}
