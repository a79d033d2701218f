import { PULL_PAGE_ROWS, type MessageRow, type PullResponse } from '../../domain/sync';
import { openUserStore, PhosphorDb } from '../store/db';
import { applyPull } from './pull-applier';

/**
 * The initial-sync benchmark (DESIGN §9: the pull applier stores ≥ 0.8× the rows per second of a
 * raw Dexie bulkPut of the same rows and schema, and ≥ 10k messages/s in Chromium). Runs in a
 * browser against the real IndexedDB; a bench runner bundles this file and calls it in a page.
 */
export interface InitialSyncFigures {
	rows: number;
	/** One bulkPut of every row: the floor DESIGN measured. */
	rawOneCallPerSecond: number;
	/** bulkPut per page of PULL_PAGE_ROWS, one transaction each: the same batching as pulls. */
	rawPerPagePerSecond: number;
	/** applyPull page after page, as the engine runs an initial sync. */
	applierPerSecond: number;
	/** applyPull without the request cursor: every page checks stored versions with bulkGet. */
	checkedApplierPerSecond: number;
	/** applier ÷ raw one-call (the target's ratio). */
	ratio: number;
}

function messages(count: number, contentBytes: number): MessageRow[] {
	const content = 'x'.repeat(contentBytes);
	return Array.from({ length: count }, (_, i) => ({
		id: `m${i.toString().padStart(7, '0')}`,
		conversationId: `c${i % 50}`,
		parentId: i < 50 ? null : `m${(i - 50).toString().padStart(7, '0')}`,
		role: i % 2 === 0 ? 'user' : 'assistant',
		content,
		status: 'complete',
		model: null,
		generationId: null,
		createdAt: 1_700_000_000_000 + i,
		deletedAt: null,
		version: i + 1
	}));
}

const rate = (rows: number, started: number) => Math.round((rows / (performance.now() - started)) * 1000);
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? 0;

function pagesOf(rows: MessageRow[]): PullResponse[] {
	const pages: PullResponse[] = [];
	for (let i = 0; i < rows.length; i += PULL_PAGE_ROWS) {
		const page = rows.slice(i, i + PULL_PAGE_ROWS);
		const cursor = page.at(-1)?.version ?? 0;
		pages.push({ cursor, more: i + PULL_PAGE_ROWS < rows.length, lastMutationId: 0, conversations: [], messages: page, generations: [], rejections: [] });
	}
	return pages;
}

/** Each way of writing, timed on a fresh database; rounds alternate so load on a shared machine hits all alike. */
export async function runInitialSyncBench(count = 50_000, contentBytes = 400, rounds = 3): Promise<InitialSyncFigures> {
	const rows = messages(count, contentBytes);
	const pages = pagesOf(rows);
	const ways: Record<Exclude<keyof InitialSyncFigures, 'rows' | 'ratio'>, (name: string) => Promise<void>> = {
		rawOneCallPerSecond: async (name) => {
			const db = new PhosphorDb(name);
			await db.messages.bulkPut(rows);
			db.close();
		},
		rawPerPagePerSecond: async (name) => {
			const db = new PhosphorDb(name);
			for (const page of pages) await db.messages.bulkPut(page.messages);
			db.close();
		},
		applierPerSecond: async (name) => {
			const store = await openUserStore(name);
			let cursor = 0;
			for (const page of pages) cursor = await applyPull(store, page, cursor);
			store.close();
		},
		checkedApplierPerSecond: async (name) => {
			const store = await openUserStore(name);
			for (const page of pages) await applyPull(store, page);
			store.close();
		}
	};
	const samples = new Map<string, number[]>();
	for (let round = 0; round < rounds; round++) {
		for (const [way, write] of Object.entries(ways)) {
			const name = `bench-${way}-${round}-${Date.now()}`;
			const started = performance.now();
			await write(name);
			samples.set(way, [...(samples.get(way) ?? []), rate(count, started)]);
			// openUserStore prefixes "phosphor-"; delete whichever name was used.
			await Promise.all([new PhosphorDb(name).delete(), new PhosphorDb(`phosphor-${name}`).delete()]);
		}
	}
	const figure = (way: string) => median(samples.get(way) ?? []);
	return {
		rows: count,
		rawOneCallPerSecond: figure('rawOneCallPerSecond'),
		rawPerPagePerSecond: figure('rawPerPagePerSecond'),
		applierPerSecond: figure('applierPerSecond'),
		checkedApplierPerSecond: figure('checkedApplierPerSecond'),
		ratio: Math.round((figure('applierPerSecond') / figure('rawOneCallPerSecond')) * 100) / 100
	};
}
