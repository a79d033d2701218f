import type { Unsubscribable } from '@trpc/server/observable';
import type { WatchedEvent } from '../domain/server-events';
import { openUserStore, type UserStore } from '../client/store/db';
import { deleteUserStore, requestPersistence, storageEstimate, type StorageEstimateResult } from '../client/store/storage';
import { startSync, type SyncHandle } from '../client/sync/leader';
import { SyncEngine, type SyncState } from '../client/sync/sync-engine';
import { trpc } from '../client/trpc';
import { trpcSyncServer } from '../client/trpc-sync-server';
import { catalog } from './catalog.svelte';
import { clearDrafts } from './drafts';
import { eventLog } from './event-log.svelte';
import { renderer } from './renderer.svelte';
import { usageMeter } from './usage-meter.svelte';

export interface Defaults {
	model: string;
	fallbackModels: string[];
}

const DEFAULTS_KEY = 'phosphor.defaults';
const IDLE: SyncState = { status: 'idle', unsynced: 0, lastSyncAt: null, lastError: null };

/**
 * The signed-in user's local workspace: their own IndexedDB store, the sync loop (run by one tab,
 * followed by the others), the one long-lived event subscription of this tab (pokes, alerts), and
 * what the status line shows — online, unsynced changes, storage use.
 */
class Workspace {
	store = $state.raw<UserStore | null>(null);
	sync = $state.raw<SyncState>(IDLE);
	online = $state(typeof navigator === 'undefined' ? true : navigator.onLine);
	persisted = $state<boolean | null>(null);
	storage = $state.raw<StorageEstimateResult | null>(null);
	defaults = $state.raw<Defaults | null>(readDefaults());
	#handle: SyncHandle | null = null;
	#events: Unsubscribable | null = null;
	#stopState: (() => void) | null = null;
	#listeners = new Set<(event: WatchedEvent) => void>();
	#onOnline = () => (this.online = true);
	#onOffline = () => (this.online = false);

	async open(userId: string): Promise<void> {
		if (this.store?.userId === userId) return;
		await this.close();
		const store = await openUserStore(userId);
		const engine = new SyncEngine({ store, server: trpcSyncServer });
		this.#handle = startSync({ userId, engine });
		this.#stopState = this.#handle.subscribe((state) => {
			this.sync = state;
			eventLog.sync(state);
			if (state.status === 'idle') void this.refreshStorage();
		});
		this.store = store;
		window.addEventListener('online', this.#onOnline);
		window.addEventListener('offline', this.#onOffline);
		this.#watchEvents();
		void this.#loadDefaults();
		void catalog.load(store);
		renderer.preload();
		void usageMeter.refresh();
		void requestPersistence().then((granted) => (this.persisted = granted));
		void this.refreshStorage();
	}

	/** Signed in again after the session expired: the kept outbox is pushed now. */
	resume(): void {
		this.#handle?.resume();
		this.#watchEvents();
	}

	/** Every event this tab's subscription delivers (the event log listens here). */
	onEvent(listener: (event: WatchedEvent) => void): () => void {
		this.#listeners.add(listener);
		return () => this.#listeners.delete(listener);
	}

	async refreshStorage(): Promise<void> {
		this.storage = await storageEstimate();
	}

	async close(): Promise<void> {
		this.#events?.unsubscribe();
		this.#events = null;
		this.#stopState?.();
		this.#stopState = null;
		await this.#handle?.stop();
		this.#handle = null;
		this.store?.close();
		this.store = null;
		this.sync = IDLE;
		window.removeEventListener('online', this.#onOnline);
		window.removeEventListener('offline', this.#onOffline);
	}

	/** Signing out with "wipe": this user's database and drafts leave this device. */
	async wipe(userId: string): Promise<void> {
		await this.close();
		await deleteUserStore(userId);
		clearDrafts(userId);
	}

	#watchEvents(): void {
		this.#events?.unsubscribe();
		// The tab's one long-lived subscription: pokes for sync, alerts and the rest for the event log.
		this.#events = trpc.events.watch.subscribe(undefined, {
			onStarted: () => this.#handle?.poke(),
			onData: ({ data }) => {
				if (data.type === 'sync') this.#handle?.poke();
				else eventLog.server(data);
				if ((data.type === 'generation' && data.state !== 'running') || data.type === 'budget-alert') usageMeter.refreshSoon();
				for (const listener of this.#listeners) listener(data);
			},
			onError: () => {
				// Signed out or gone: the sync engine reports it; resume() subscribes again.
			}
		});
	}

	#defaultsLoading: Promise<Defaults | null> | null = null;

	/** The server's defaults: cached ones at once, else the answer of the request in flight (or a new one). */
	async ensureDefaults(): Promise<Defaults | null> {
		if (this.defaults) return this.defaults;
		return this.#loadDefaults();
	}

	#loadDefaults(): Promise<Defaults | null> {
		this.#defaultsLoading ??= trpc.models.defaults
			.query()
			.then((defaults) => {
				this.defaults = defaults;
				localStorage.setItem(DEFAULTS_KEY, JSON.stringify(defaults));
				return defaults;
			})
			.catch(() => this.defaults) // offline: the cached defaults serve
			.finally(() => (this.#defaultsLoading = null));
		return this.#defaultsLoading;
	}
}

function readDefaults(): Defaults | null {
	try {
		const raw = globalThis.localStorage?.getItem(DEFAULTS_KEY);
		return raw ? (JSON.parse(raw) as Defaults) : null;
	} catch {
		return null;
	}
}

export const workspace = new Workspace();
