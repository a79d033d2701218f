import type { SyncEngine } from './sync-engine';
import { INITIAL_SYNC_STATE, type SyncState } from './sync-state';

/** The part of the Web Locks API used here (tests pass a fake; old browsers have none). */
export interface LockManagerLike {
	request(name: string, options: { signal?: AbortSignal }, callback: (lock: unknown) => Promise<void>): Promise<unknown>;
}

/** The part of BroadcastChannel used here. */
export interface ChannelLike {
	postMessage(message: unknown): void;
	addEventListener(type: 'message', listener: (event: MessageEvent) => void): void;
	close(): void;
}

type TabMessage = { type: 'poke' } | { type: 'resume' } | { type: 'hello' } | { type: 'state'; state: SyncState };

export interface SyncLeaderOptions {
	userId: string;
	/** This tab's engine; started only while this tab leads. */
	engine: Pick<SyncEngine, 'start' | 'stop' | 'poke' | 'resume' | 'subscribe'>;
	/** `navigator.locks` by default; null runs the engine directly (one tab assumed). */
	locks?: LockManagerLike | null;
	/** Opens the tabs' channel; BroadcastChannel by default; null: no cross-tab messages. */
	channel?: ((name: string) => ChannelLike) | null;
}

/** What every tab uses, leader or not. */
export interface SyncHandle {
	readonly isLeader: boolean;
	/** The leader's engine state (followers hear it over the channel). */
	readonly state: SyncState;
	subscribe(listener: (state: SyncState) => void): () => void;
	/** Pull now (the server poked this tab): runs in whichever tab leads. */
	poke(): void;
	/** Sign-in again: the leader's engine resumes. */
	resume(): void;
	stop(): Promise<void>;
}

export const syncLockName = (userId: string) => `phosphor-sync-${userId}`;

/**
 * One tab per browser runs the sync loop: the one holding the Web Lock `phosphor-sync-<userId>`,
 * held for as long as its engine runs; when that tab closes the browser hands the lock to another.
 * Other tabs read through liveQuery and still enqueue: the leader's engine watches the outbox with
 * a liveQuery, which Dexie wakes for writes from any tab. Pokes and the leader's state cross tabs
 * on a BroadcastChannel.
 */
export function startSync(options: SyncLeaderOptions): SyncHandle {
	const { engine, userId } = options;
	const locks = options.locks !== undefined ? options.locks : ((globalThis.navigator as { locks?: LockManagerLike } | undefined)?.locks ?? null);
	const openChannel = options.channel !== undefined ? options.channel : typeof BroadcastChannel === 'undefined' ? null : (name: string) => new BroadcastChannel(name);
	const channel = openChannel?.(`phosphor-sync-${userId}`) ?? null;

	let leader = false;
	let state: SyncState = INITIAL_SYNC_STATE;
	const listeners = new Set<(state: SyncState) => void>();
	const show = (next: SyncState) => {
		state = next;
		for (const listener of listeners) listener(next);
	};
	const post = (message: TabMessage) => channel?.postMessage(message);
	let unsubscribe = () => {};

	channel?.addEventListener('message', (event: MessageEvent) => {
		const message = event.data as TabMessage;
		if (leader) {
			if (message.type === 'poke') engine.poke();
			else if (message.type === 'resume') engine.resume();
			else if (message.type === 'hello') post({ type: 'state', state });
		} else if (message.type === 'state') show(message.state);
	});

	const lead = () => {
		leader = true;
		unsubscribe = engine.subscribe((next) => {
			show(next);
			post({ type: 'state', state: next });
		});
		engine.start();
	};
	const follow = async () => {
		unsubscribe();
		await engine.stop();
		leader = false;
	};

	let done: Promise<unknown> = Promise.resolve();
	let release = () => {};
	const abort = new AbortController();
	if (locks === null) {
		lead();
	} else {
		const released = new Promise<void>((resolve) => (release = resolve));
		done = locks
			.request(syncLockName(userId), { signal: abort.signal }, async () => {
				lead();
				await released;
				await follow();
			})
			.catch((error: unknown) => {
				if (abort.signal.aborted) return; // stopped while waiting for the lock
				// Locks unusable here (e.g. an opaque origin): syncing in every tab beats not syncing.
				console.warn('Web Locks unavailable; this tab syncs on its own.', error);
				lead();
			});
		post({ type: 'hello' });
	}

	return {
		get isLeader() {
			return leader;
		},
		get state() {
			return state;
		},
		subscribe(listener) {
			listeners.add(listener);
			listener(state);
			return () => listeners.delete(listener);
		},
		poke: () => (leader ? engine.poke() : post({ type: 'poke' })),
		resume: () => (leader ? engine.resume() : post({ type: 'resume' })),
		async stop() {
			abort.abort();
			release();
			await done;
			if (leader) await follow();
			channel?.close();
		}
	};
}
