import { liveQuery, type Subscription } from 'dexie';
import { newId } from '../../../../src/lib/domain/ids';
import type { ConversationRow, MessageRow } from '../../../../src/lib/domain/sync';
import { openUserStore, PhosphorDb } from '../../../../src/lib/client/store/db';
import { enqueue } from '../../../../src/lib/client/store/mutate';
import { readConversation, readConversationList } from '../../../../src/lib/client/store/queries';
import { applyPull } from '../../../../src/lib/client/sync/pull-applier';
import { history, prng, text } from './rows';

/**
 * Local write → UI update: a person's change goes through enqueue() (the strict outbox
 * transaction) and the liveQuery that shows it emits a value containing it. Every UI query reads
 * the outbox, so every enqueue wakes every open query; the affected one competes with the rest.
 *
 * Writes alternate message.create (seen by readConversation of its conversation) and
 * conversation.rename (seen by readConversationList). After each one the server's answer is
 * applied as a pull (rows + lastMutationId, removing the outbox entry), as an online device
 * does, and the queries are left to settle before the next write.
 *
 * Blocks of writes alternate between the two setups: `many` (the full set of queries open) and
 * `floor` (only the two queries that show the change open).
 */
export interface LiveQueryOptions {
	conversations: number;
	perConversation: number;
	queries: number;
	/** Writes per setup, in blocks of `block`. */
	writes: number;
	block: number;
}

export interface LiveQuerySamples {
	/** enqueue() called → the affected query emits the new value. */
	fromStart: number[];
	/** enqueue() resolved → the affected query emits it (negative: it emitted before enqueue resolved). */
	fromResolved: number[];
	/** enqueue() called → resolved. */
	enqueue: number[];
	/** The open queries' functions run once each, all at once, outside liveQuery: what every write makes them do. */
	pass: number[];
	/** The synchronous part of that: calling them all, until the last call returns its promise. */
	passStart: number[];
}

export interface LiveQueryResult {
	many: LiveQuerySamples;
	floor: LiveQuerySamples;
	queries: { list: number; conversation: number };
}

const QUIET_MS = 30;
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Any open query, whatever its value. */
type Open = { emissions: number; subscription: Subscription };

interface Watched<T> {
	emissions: number;
	latest: T | undefined;
	waiter: { test: (value: T) => boolean; resolve: (at: number) => void } | null;
	subscription: Subscription;
}

export async function liveQueryLatency(options: LiveQueryOptions): Promise<LiveQueryResult> {
	const store = await openUserStore(`lq-${Date.now().toString(36)}`);
	let failure: unknown = null;
	let emitted = 0;
	try {
		const seed = history(options.conversations, options.perConversation, 400, 2);
		const conversations = new Map(seed.conversations.map((c) => [c.id, c]));
		let cursor = Math.max(...seed.conversations.map((c) => c.version));
		await applyPull(store, { cursor, more: false, lastMutationId: 0, conversations: seed.conversations, messages: seed.messages, generations: [], rejections: [] }, 0);
		const ids = seed.conversations.map((c) => c.id);

		function watch<T>(querier: () => Promise<T>): Watched<T> {
			const watched: Watched<T> = { emissions: 0, latest: undefined, waiter: null, subscription: null as unknown as Subscription };
			watched.subscription = liveQuery(querier).subscribe({
				next: (value) => {
					const at = performance.now();
					watched.emissions++;
					emitted++;
					watched.latest = value;
					if (watched.waiter?.test(value)) {
						watched.waiter.resolve(at);
						watched.waiter = null;
					}
				},
				error: (error: unknown) => {
					failure = error;
				}
			});
			return watched;
		}

		/** Until every query has emitted once and none has emitted for QUIET_MS. */
		async function settle(watched: Open[]): Promise<void> {
			for (let i = 0; i < 500; i++) {
				const before = emitted;
				await sleep(QUIET_MS);
				if (failure) throw failure;
				if (before === emitted && watched.every((w) => w.emissions > 0)) return;
			}
			throw new Error('liveQueries never settled');
		}

		function next<T>(watched: Watched<T>, test: (value: T) => boolean): Promise<number> {
			return new Promise((resolve, reject) => {
				const timer = setTimeout(() => reject(new Error('the affected query did not show the write within 5 s')), 5_000);
				watched.waiter = {
					test,
					resolve: (at) => {
						clearTimeout(timer);
						resolve(at);
					}
				};
			});
		}

		const random = prng(3);
		let mutations = 0;
		/** One write and its acknowledgement; returns the timings of the write. */
		async function write(target: string, list: Watched<Awaited<ReturnType<typeof readConversationList>>>, detail: Watched<Awaited<ReturnType<typeof readConversation>>>) {
			const conversation = conversations.get(target) as ConversationRow;
			const now = Date.now();
			let seen: Promise<number>;
			let run: () => Promise<number>;
			let serverRows: { conversations: ConversationRow[]; messages: MessageRow[] };
			if (mutations % 2 === 0) {
				const id = newId();
				const content = text(random, 400);
				seen = next(detail, (value) => value?.messages.some((m) => m.id === id) ?? false);
				run = () => enqueue(store, 'message.create', { id, conversationId: target, parentId: conversation.activeLeafId, content, createdAt: now });
				const message: MessageRow = { id, conversationId: target, parentId: conversation.activeLeafId, role: 'user', content, status: 'complete', model: null, generationId: null, createdAt: now, deletedAt: null, version: cursor + 1 };
				serverRows = { messages: [message], conversations: [{ ...conversation, activeLeafId: id, updatedAt: now, version: cursor + 2 }] };
			} else {
				const title = `Renamed ${mutations} ${text(random, 20)}`.trim();
				seen = next(list, (value) => value.some((c) => c.id === target && c.title === title));
				run = () => enqueue(store, 'conversation.rename', { id: target, title });
				serverRows = { messages: [], conversations: [{ ...conversation, title, updatedAt: now, version: cursor + 2 }] };
			}
			mutations++;
			const started = performance.now();
			const mutationId = await run();
			const resolved = performance.now();
			const at = await seen;
			// The server's answer, as the engine applies it: the rows, and the outbox entry gone.
			const previous = cursor;
			cursor += 2;
			await applyPull(store, { cursor, more: false, lastMutationId: mutationId, conversations: serverRows.conversations, messages: serverRows.messages, generations: [], rejections: [] }, previous);
			conversations.set(target, serverRows.conversations[0] as ConversationRow);
			return { fromStart: at - started, fromResolved: at - resolved, enqueue: resolved - started };
		}

		const result: LiveQueryResult = {
			many: { fromStart: [], fromResolved: [], enqueue: [], pass: [], passStart: [] },
			floor: { fromStart: [], fromResolved: [], enqueue: [], pass: [], passStart: [] },
			queries: { list: 0, conversation: 0 }
		};
		let target = 0;
		for (let block = 0; block * options.block < options.writes; block++) {
			// The floor's block writes into one conversation, the one its view shows.
			const floorId = ids[block % ids.length] as string;
			for (const setup of ['many', 'floor'] as const) {
				const watched: Open[] = [];
				const queriers: Array<() => Promise<unknown>> = [];
				const lists: Watched<Awaited<ReturnType<typeof readConversationList>>>[] = [];
				const details = new Map<string, Watched<Awaited<ReturnType<typeof readConversation>>>>();
				const count = setup === 'many' ? options.queries : 2;
				// One list per ten queries (several tabs or panes), the rest conversation views over every id.
				for (let q = 0; q < count; q++) {
					if (q % 10 === 0) {
						const querier = () => readConversationList(store.db);
						const w = watch(querier);
						queriers.push(querier);
						lists.push(w);
						watched.push(w);
					} else {
						const id = setup === 'many' ? (ids[(q - 1 - Math.floor(q / 10)) % ids.length] as string) : floorId;
						const querier = () => readConversation(store.db, id);
						const w = watch(querier);
						queriers.push(querier);
						if (!details.has(id)) details.set(id, w);
						watched.push(w);
					}
				}
				if (setup === 'many') result.queries = { list: lists.length, conversation: watched.length - lists.length };
				await settle(watched);
				const passStarted = performance.now();
				const running = queriers.map((q) => q());
				result[setup].passStart.push(performance.now() - passStarted);
				await Promise.all(running);
				result[setup].pass.push(performance.now() - passStarted);
				const shown = [...details.keys()];
				for (let i = 0; i < options.block; i++) {
					const id = setup === 'many' ? (shown[target++ % shown.length] as string) : floorId;
					const detail = details.get(id);
					if (!detail || !lists[0]) throw new Error(`no query open for ${id}`);
					const timing = await write(id, lists[0], detail);
					result[setup].fromStart.push(timing.fromStart);
					result[setup].fromResolved.push(timing.fromResolved);
					result[setup].enqueue.push(timing.enqueue);
					await settle(watched);
				}
				for (const w of watched) w.subscription.unsubscribe();
			}
		}
		if (failure) throw failure;
		return result;
	} finally {
		store.close();
		await PhosphorDb.delete(`phosphor-${store.userId}`);
	}
}
