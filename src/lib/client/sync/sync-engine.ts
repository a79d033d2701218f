import { liveQuery, type Subscription } from 'dexie';
import { PUSH_MAX_MUTATIONS, type SyncServer } from '../../domain/sync';
import { readMeta, type UserStore } from '../store/db';
import { backoffDelay, DEFAULT_BACKOFF, realScheduler, type BackoffOptions, type Scheduler } from './backoff';
import { SyncNetworkError, SyncProtocolError, SyncUnauthorizedError } from './errors';
import { applyPull } from './pull-applier';
import { storePushRejections } from './push-rejections';

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

type EventSource = Pick<EventTarget, 'addEventListener' | 'removeEventListener'>;

export interface SyncEngineOptions {
	store: UserStore;
	server: SyncServer;
	/** Defaults to the store's. */
	clientId?: string;
	scheduler?: Scheduler;
	/** Uniform in [0, 1): the jitter of retries. */
	random?: () => number;
	now?: () => number;
	backoff?: BackoffOptions;
	/** Where `online` events come from; `window` when there is one. */
	onlineEvents?: EventSource | null;
}

/**
 * The sync loop of one client: push the outbox in order, then pull until the server has nothing
 * more. Single-flight: one cycle at a time, so no mutation is ever pushed twice concurrently;
 * requests that arrive during a cycle run one more cycle after it.
 *
 * Failures: no connection → 'offline', a server error → 'error'; both retry with exponential
 * backoff and full jitter, and `poke()` or an `online` event retries at once. A 401 → 'signed-out':
 * no retries until `resume()`, and the outbox is kept. Nothing here deletes an outbox entry the
 * server has not processed; the pull applier removes processed ones with the rows they produced.
 */
export class SyncEngine {
	private readonly store: UserStore;
	private readonly server: SyncServer;
	private readonly clientId: string;
	private readonly scheduler: Scheduler;
	private readonly random: () => number;
	private readonly now: () => number;
	private readonly backoff: BackoffOptions;
	private readonly onlineEvents: EventSource | null;

	private current: SyncState = { status: 'idle', unsynced: 0, lastSyncAt: null, lastError: null };
	private readonly listeners = new Set<(state: SyncState) => void>();
	private started = false;
	private wanted = false;
	private cycle: Promise<void> | null = null;
	private retry: { handle: unknown } | null = null;
	private attempt = 0;
	/** The highest mutation id the server has confirmed processing to this engine: never re-sent. */
	private acked = 0;
	private outboxWatch: Subscription | null = null;
	private readonly onOnline = () => this.kick(true);

	constructor(options: SyncEngineOptions) {
		this.store = options.store;
		this.server = options.server;
		this.clientId = options.clientId ?? options.store.clientId;
		this.scheduler = options.scheduler ?? realScheduler;
		this.random = options.random ?? Math.random;
		this.now = options.now ?? Date.now;
		this.backoff = options.backoff ?? DEFAULT_BACKOFF;
		this.onlineEvents = options.onlineEvents !== undefined ? options.onlineEvents : typeof window === 'undefined' ? null : window;
	}

	get state(): SyncState {
		return this.current;
	}

	/** Svelte-store shaped: the listener gets the current state at once, then every change. */
	subscribe(listener: (state: SyncState) => void): () => void {
		this.listeners.add(listener);
		listener(this.current);
		return () => this.listeners.delete(listener);
	}

	/** Starts syncing, and pushing whenever the outbox grows (in this tab or another one). */
	start(): void {
		if (this.started) return;
		this.started = true;
		this.onlineEvents?.addEventListener('online', this.onOnline);
		const db = this.store.db;
		this.outboxWatch = liveQuery(async () => ({
			count: await db.outbox.count(),
			lastId: ((await db.outbox.orderBy('id').lastKey()) as number | undefined) ?? 0
		})).subscribe({
			next: ({ count, lastId }) => {
				this.update({ unsynced: count });
				if (lastId > this.acked) this.kick(false);
			},
			error: (error: unknown) => this.update({ status: 'error', lastError: describe(error) })
		});
		this.kick(true);
	}

	/** Stops retries and watching; resolves once the cycle in flight (if any) has finished. */
	async stop(): Promise<void> {
		this.started = false;
		this.cancelRetry();
		this.onlineEvents?.removeEventListener('online', this.onOnline);
		this.outboxWatch?.unsubscribe();
		this.outboxWatch = null;
		await this.settled();
	}

	/** The server says something changed (or the person asked): pull now, even during a backoff. */
	poke(): void {
		this.kick(true);
	}

	/** The outbox changed: push soon. Waits out a backoff in progress rather than hammering a failing server. */
	nudge(): void {
		this.kick(false);
	}

	/** After signing in again (or to retry an error at once): sync resumes with the kept outbox. */
	resume(): void {
		if (this.current.status === 'signed-out') this.update({ status: 'idle', lastError: null });
		this.attempt = 0;
		this.kick(true);
	}

	/** Resolves when no cycle is running (a retry may still be scheduled). For tests and stop(). */
	async settled(): Promise<void> {
		while (this.cycle) await this.cycle;
	}

	private kick(urgent: boolean): void {
		if (!this.started || this.current.status === 'signed-out') return;
		if (this.retry) {
			if (!urgent) return; // the scheduled retry will push it
			this.cancelRetry();
		}
		this.wanted = true;
		if (this.cycle === null) this.cycle = this.run();
	}

	private async run(): Promise<void> {
		await Promise.resolve(); // let kick() assign this.cycle before anything can finish
		try {
			while (this.wanted && this.started) {
				this.wanted = false;
				this.update({ status: 'syncing' });
				await this.pushAll();
				await this.pullAll();
				if (!this.started) break;
				this.attempt = 0;
				this.update({ status: 'idle', lastSyncAt: this.now(), lastError: null });
			}
		} catch (error) {
			this.wanted = false;
			this.fail(error);
		} finally {
			this.cycle = null;
		}
	}

	private async pushAll(): Promise<void> {
		const db = this.store.db;
		while (this.started) {
			const batch = await db.outbox.where('id').above(this.acked).limit(PUSH_MAX_MUTATIONS).toArray();
			const first = batch[0];
			if (first === undefined) return;
			const mutations = batch.map(({ id, name, args }) => ({ id, name, args }));
			const response = await this.server.push({ clientId: this.clientId, mutations });
			if (response.lastMutationId < first.id) {
				// The server lost track of this client (e.g. restored from a backup): pushing again cannot help.
				throw new SyncProtocolError(
					`The server has this device's changes up to #${response.lastMutationId} but the next one here is #${first.id}.`
				);
			}
			this.acked = Math.max(this.acked, response.lastMutationId);
			await storePushRejections(this.store, this.clientId, batch, response.rejected, this.now());
		}
	}

	private async pullAll(): Promise<void> {
		while (this.started) {
			const cursor = (await readMeta(this.store.db, 'cursor')) ?? 0;
			const page = await this.server.pull({ cursor, clientId: this.clientId });
			await applyPull(this.store, page, cursor);
			if (!page.more) return;
			if (page.cursor <= cursor) throw new SyncProtocolError('The server has more to send but did not move the cursor.');
		}
	}

	private fail(error: unknown): void {
		if (error instanceof SyncUnauthorizedError) {
			this.update({ status: 'signed-out', lastError: error.message });
			return;
		}
		this.update({ status: error instanceof SyncNetworkError ? 'offline' : 'error', lastError: describe(error) });
		if (!this.started) return;
		const delay = backoffDelay(this.attempt++, this.random, this.backoff);
		const retry = { handle: undefined as unknown };
		retry.handle = this.scheduler.setTimeout(() => {
			if (this.retry !== retry) return;
			this.retry = null;
			this.kick(true);
		}, delay);
		this.retry = retry;
	}

	private cancelRetry(): void {
		if (this.retry) this.scheduler.clearTimeout(this.retry.handle);
		this.retry = null;
	}

	private update(patch: Partial<SyncState>): void {
		const next = { ...this.current, ...patch };
		const same = (Object.keys(next) as (keyof SyncState)[]).every((key) => next[key] === this.current[key]);
		if (same) return;
		this.current = next;
		for (const listener of this.listeners) listener(next);
	}
}

function describe(error: unknown): string {
	return error instanceof Error ? error.message : String(error);
}
