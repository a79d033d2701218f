import { liveQuery, type Subscription } from 'dexie';
import type { SyncServer } from '../../domain/sync';
import type { UserStore } from '../store/db';
import { backoffDelay, DEFAULT_BACKOFF, realScheduler, type BackoffOptions, type Scheduler } from './backoff';
import { SyncNetworkError, SyncUnauthorizedError } from './errors';
import { pullAll } from './puller';
import { pushOutbox } from './pusher';
import { SyncStateCell, type SyncState } from './sync-state';

export type { SyncState, SyncStatus } from './sync-state';

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

	private readonly cell = new SyncStateCell();
	private started = false;
	private wanted = false;
	private cycle: Promise<void> | null = null;
	private retry: { handle: unknown } | null = null;
	private attempt = 0;
	/** The highest mutation id the server has confirmed processing to this engine: never re-sent. */
	private readonly acked = { through: 0 };
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
		return this.cell.value;
	}

	/** Svelte-store shaped: the listener gets the current state at once, then every change. */
	subscribe(listener: (state: SyncState) => void): () => void {
		return this.cell.subscribe(listener);
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
				this.cell.update({ unsynced: count });
				if (lastId > this.acked.through) this.kick(false);
			},
			error: (error: unknown) => this.cell.update({ status: 'error', lastError: describe(error) })
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
		if (this.cell.value.status === 'signed-out') this.cell.update({ status: 'idle', lastError: null });
		this.attempt = 0;
		this.kick(true);
	}

	/** Resolves when no cycle is running (a retry may still be scheduled). For tests and stop(). */
	async settled(): Promise<void> {
		while (this.cycle) await this.cycle;
	}

	private kick(urgent: boolean): void {
		if (!this.started || this.cell.value.status === 'signed-out') return;
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
				this.cell.update({ status: 'syncing' });
				const running = () => this.started;
				const { store, server, clientId } = this;
				await pushOutbox({ store, server, clientId, acked: this.acked, now: this.now, running });
				await pullAll({ store, server, clientId, running });
				if (!this.started) {
					this.cell.update({ status: 'idle' }); // stopped mid-cycle: not syncing any more
					break;
				}
				this.attempt = 0;
				this.cell.update({ status: 'idle', lastSyncAt: this.now(), lastError: null });
			}
		} catch (error) {
			this.wanted = false;
			this.fail(error);
		} finally {
			this.cycle = null;
		}
	}

	private fail(error: unknown): void {
		if (error instanceof SyncUnauthorizedError) {
			this.cell.update({ status: 'signed-out', lastError: error.message });
			return;
		}
		this.cell.update({ status: error instanceof SyncNetworkError ? 'offline' : 'error', lastError: describe(error) });
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
}

function describe(error: unknown): string {
	return error instanceof Error ? error.message : String(error);
}
