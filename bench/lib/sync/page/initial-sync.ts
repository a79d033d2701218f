import { openUserStore, PhosphorDb } from '../../../../src/lib/client/store/db';
import { applyPull } from '../../../../src/lib/client/sync/pull-applier';
import { history, jsonBytes, messagePages } from './rows';

/**
 * Initial sync into the real IndexedDB: the pull applier page after page, beside raw
 * Dexie bulkPuts of the same rows into the same schema with the same durability (the floor).
 * Each way writes into a fresh database; opening it is not timed, only the writes are.
 * Ways alternate within each round, so load on a shared machine hits all of them alike.
 * (Supersedes src/lib/client/sync/initial-sync-bench.ts, whose ways these are, on varied rows.)
 */
export interface InitialSyncOptions {
	messages: number;
	perConversation: number;
	contentChars: number;
	rounds: number;
}

export const WAYS = ['raw', 'applier', 'rawPerPage', 'checked'] as const;
export type Way = (typeof WAYS)[number];

export interface InitialSyncResult {
	/** Messages per second of each round, per way, in round order. */
	rates: Record<Way, number[]>;
	pages: number;
	rowJsonBytes: number;
	userAgent: string;
}

export async function initialSync(options: InitialSyncOptions): Promise<InitialSyncResult> {
	const { messages } = history(Math.ceil(options.messages / options.perConversation), options.perConversation, options.contentChars);
	messages.length = options.messages;
	const pages = messagePages(messages);
	const relaxed = { chromeTransactionDurability: 'relaxed' } as const;
	const run = 'b' + Date.now().toString(36);

	/** Each returns the milliseconds its writes took. */
	const ways: Record<Way, (name: string) => Promise<number>> = {
		// One bulkPut of every row in one transaction: the floor the target is set against.
		raw: async (name) => {
			const db = new PhosphorDb(name, relaxed);
			await db.open();
			const started = performance.now();
			await db.messages.bulkPut(messages);
			const ms = performance.now() - started;
			await check(db, name);
			db.close();
			return ms;
		},
		// One bulkPut per page, one transaction each: the batching the applier gets from the protocol.
		rawPerPage: async (name) => {
			const db = new PhosphorDb(name, relaxed);
			await db.open();
			const started = performance.now();
			for (const page of pages) await db.messages.bulkPut(page.messages);
			const ms = performance.now() - started;
			await check(db, name);
			db.close();
			return ms;
		},
		// As the engine runs an initial sync: each page with the cursor it was pulled with (the blind fast path).
		applier: async (name) => {
			const store = await openUserStore(name);
			const started = performance.now();
			let cursor = 0;
			for (const page of pages) cursor = await applyPull(store, page, cursor);
			const ms = performance.now() - started;
			await check(store.db, name);
			store.close();
			return ms;
		},
		// Each page with a request cursor older than the stored one: every page bulkGets stored versions first.
		checked: async (name) => {
			const store = await openUserStore(name);
			const started = performance.now();
			let cursor = 0;
			for (const page of pages) cursor = await applyPull(store, page, cursor - 1);
			const ms = performance.now() - started;
			await check(store.db, name);
			store.close();
			return ms;
		}
	};

	async function check(db: PhosphorDb, name: string): Promise<void> {
		const stored = await db.messages.count();
		if (stored !== messages.length) throw new Error(`${name}: ${stored} messages stored, expected ${messages.length}`);
	}

	const rates = Object.fromEntries(WAYS.map((w) => [w, [] as number[]])) as Record<Way, number[]>;
	for (let round = 0; round < options.rounds; round++) {
		for (const way of WAYS) {
			const name = `${run}-${way}-${round}`;
			const ms = await ways[way](name);
			rates[way].push((messages.length / ms) * 1000);
			// openUserStore names its database "phosphor-<user id>".
			await Promise.all([PhosphorDb.delete(name), PhosphorDb.delete(`phosphor-${name}`)]);
		}
	}
	const sample = messages.slice(0, 100);
	return {
		rates,
		pages: pages.length,
		rowJsonBytes: Math.round(sample.reduce((n, m) => n + jsonBytes(m), 0) / sample.length),
		userAgent: navigator.userAgent
	};
}
