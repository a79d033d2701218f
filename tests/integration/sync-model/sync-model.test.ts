import fc from 'fast-check';
import { eq } from 'drizzle-orm';
import { appendFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { conversations, messages } from '../../../server/db/schema';
import { readConversationList } from '../../../src/lib/client/store/queries';
import { historyArbitrary, type HistoryPlan } from './commands';
import { openWatches } from './controlled-live-query';
import { History } from './history';
import { checkQuiescent, liveOrphans } from './invariants';
import { ModelServer } from './model-server';
import { RunStats } from './stats';

/**
 * A model-based test of sync: 3–5 devices of one user (and, in two histories of three, one device
 * of a second user) — each a real SyncEngine over its own fake IndexedDB — against the real server
 * (startApp on a SQLite file: push/pull from server/sync, generation jobs, the ledger, the
 * simulator upstream), through a network the test controls (faulty-link.ts).
 *
 * A history (commands.ts) mixes what people do (create, import, rename, pin, archive, delete,
 * send or edit with an optional reply, switch branch, delete a message, stop a reply), what the
 * network does (deliver a device's call with or without a fault, deliver two at once, deliver a
 * held request late, partitions, expired sessions, retry timers) and server restarts. After each
 * step the checks of History.checkStep hold; after the history the network heals, every device
 * syncs until nothing changes, every reply ends, and invariants.ts checks the end state.
 *
 * SYNC_HISTORIES (200), SYNC_SEED and SYNC_PATH (replay a reported failure), SYNC_TRACE_FILE (every
 * history's steps), SYNC_STATS (what the run exercised), SYNC_MODEL_DB_DIR (where the database lives).
 */

// The engines' outbox watches emit when the test says (see controlled-live-query.ts), not on Dexie's timer.
vi.mock('dexie', async (importOriginal) => {
	const actual = await importOriginal<typeof import('dexie')>();
	const { controlledLiveQuery } = await import('./controlled-live-query');
	return { ...actual, liveQuery: controlledLiveQuery };
});

const HISTORIES = Number(process.env.SYNC_HISTORIES ?? 200);
/**
 * Fixed unless asked otherwise, so that `npm test` replays the same 200 histories every run (a CI run
 * must not pass or fail by luck); `SYNC_SEED=random` explores new ones, `SYNC_SEED=<n>` replays a run.
 */
const SEED = process.env.SYNC_SEED === 'random' ? (Math.random() * 2 ** 32) | 0 : Number(process.env.SYNC_SEED ?? 20261127);
const PATH = process.env.SYNC_PATH;
/** Appends every history's plan and steps to this file (to compare two runs of one seed, or to read a history). */
const TRACE_FILE = process.env.SYNC_TRACE_FILE;
/** The test's own limit: about a second per history at worst, and never under five minutes (shrinking replays histories). */
const TIMEOUT_MS = Math.max(300_000, HISTORIES * 1_000);

describe('sync model: devices of one user against the real server, through a faulty network', () => {
	let server: ModelServer;
	let histories = 0;
	const stats = new RunStats();

	beforeAll(async () => {
		server = await ModelServer.start();
	});
	afterAll(() => server?.stop());

	async function runHistory(plan: HistoryPlan): Promise<void> {
		// Ids share one prefix per history (unique on the shared server), so they compare the same way on every replay.
		const history = await History.open(server, `h${String(++histories).padStart(6, '0')}-`, plan);
		try {
			for (const command of plan.commands) await history.run(command);
			await history.quiesce();
			await checkQuiescent(history);
			stats.record(history);
		} catch (error) {
			if (error instanceof Error) error.message += `\n\nSteps:\n  ${history.trace.join('\n  ')}`;
			throw error;
		} finally {
			if (TRACE_FILE) appendFileSync(TRACE_FILE, `${JSON.stringify(plan)}\n  ${history.trace.join('\n  ')}\n`);
			await history.close();
		}
	}

	it(
		'every history converges: devices equal the server, nothing acknowledged is lost or doubled, deletes stay deleted, replies run once',
		async () => {
			await fc.assert(
				fc.asyncProperty(historyArbitrary({ minCommands: 15, maxCommands: 40, restartWeight: 1 }), runHistory),
				{
					numRuns: HISTORIES,
					// Shrinking stops (reporting the smallest history found so far) before the test's own timeout.
					interruptAfterTimeLimit: TIMEOUT_MS - 60_000,
					// Always given: the suite's fixed fast-check seed (tests/setup/fast-check-seed.ts) must not override SYNC_SEED.
					seed: SEED,
					...(PATH ? { path: PATH, endOnFailure: true } : {})
				}
			);
			expect(openWatches()).toBe(0);
			console.info(stats.summary(process.env.SYNC_STATS !== undefined));
		},
		TIMEOUT_MS
	);

	// Found by the property above (SYNC_SEED=-1340487558 SYNC_PATH=16:3:4:3:5:5:5:7:7:7:9:13:9:4:8:13:13:13:14:13:15:
	// 15:15:15:15:15:15:15:15:19:20:20:20:20:20:20:20:20:20:20:20 replays it as the first history on a fresh server).
	// d0 deletes message m2 (applied, answer lost), d1 pushes a 600-message import, d2 deletes m2's conversation,
	// d1 pulls one page. Deleting a conversation removes its messages, tombstones too, so m2's delete now travels
	// with the conversation's tombstone, at a version past that page: in between, d1 still shows the conversation
	// and m2 in it, as its cursor allows. The model once took that for a deleted message coming back; it now knows
	// a purged conversation's tombstone carries its messages' deletes, and the whole pull takes both away.
	it('a conversation deleted after one of its messages carries that delete: a device part-way through its pull catches up with both', async () => {
		const prefix = `h${String(++histories).padStart(6, '0')}-`;
		const history = await History.open(server, prefix, { devices: 4, secondUser: true, commands: [] });
		try {
			const steps: HistoryPlan['commands'] = [
				{ t: 'deleteMessage', d: 0, pick: 0, msg: 0 },
				{ t: 'bigImport', d: 6 },
				{ t: 'deliver', d: 0, fault: 'dropResponse', answer: 0 },
				{ t: 'deleteConversation', d: 27, pick: 0 },
				{ t: 'import', d: 0, file: 0, extended: false },
				{ t: 'deliver', d: 6, fault: 'ok', answer: 0 },
				{ t: 'send', d: 0, pick: 0, reply: 'quick' },
				{ t: 'deleteMessage', d: 0, pick: 0, msg: 0 },
				{ t: 'send', d: 0, pick: 0, reply: 'none' },
				{ t: 'sync', d: 12 },
				{ t: 'deliver', d: 1, fault: 'ok', answer: 0 },
				{ t: 'sync', d: 1 }
			];
			// Every step's checks hold: nothing deleted shows once the version that carries its delete is pulled.
			for (const command of steps) await history.run(command);
			const d1 = history.devices[1];
			if (!d1) throw new Error('no device d1');
			// The history's first conversation ("Start"), where m2 was.
			const start = history.server.db.select().from(conversations).where(eq(conversations.id, `${prefix}c1`)).get();
			expect(start?.deletedAt).not.toBeNull();
			expect((await readConversationList(d1.store.db)).map((c) => c.id)).not.toContain(`${prefix}c1`);
			await history.quiesce();
		} finally {
			await history.close();
		}
	});

	// Found by the property above (seed 1876921180, path 593:2:0:0:1:3:6:8:7:7:7:9:13:16:15:15:15:8…, with an earlier
	// version of the commands, so it no longer replays): two devices
	// import the same export, one with a follow-up; the other device deletes an imported answer and syncs first.
	// importMessages (server/conversations/message-service.ts) counts an existing but DELETED message as a known
	// parent, so the follow-up was inserted live under the deleted answer. Fixed: a tombstone wins over a re-import.
	it('a second import does not hang live messages under a message deleted in between', async () => {
		const history = await History.open(server, `h${String(++histories).padStart(6, '0')}-`, { devices: 2, secondUser: false, commands: [] });
		try {
			const steps: HistoryPlan['commands'] = [
				{ t: 'import', d: 0, file: 0, extended: false },
				{ t: 'import', d: 1, file: 0, extended: true },
				{ t: 'deleteMessage', d: 0, pick: 1, msg: 0 },
				{ t: 'sync', d: 0 },
				{ t: 'sync', d: 1 }
			];
			for (const command of steps) await history.run(command);
			expect(history.trace[2]).toMatch(/→ h\d+-x0a$/);
			await history.quiesce();
			expect(liveOrphans(history, history.firstUser)).toEqual([]);
		} finally {
			await history.close();
		}
	});

	// Found by the property above (seed 1861067970, path 299:3:1:1:2:4:7:7:15:18:18:18:19:24:26…, earlier commands; the check is
	// History.checkAcknowledgedShown). A device pulls from an old cursor while more than PULL_PAGE_ROWS rows are newer:
	// every page carries the client's lastMutationId, and applyPull (src/lib/client/sync/pull-applier.ts) drops the
	// outbox entries up to it on the FIRST page, while the rows those mutations produced come in a later page. Until
	// that page is stored (or for good, if the next pull fails) the device showed neither the queued change nor its
	// result. Fixed: the outbox is trimmed on the last page of a pull only.
	it('a change acknowledged by the first page of a paged pull stays shown until its page arrives', async () => {
		const history = await History.open(server, `h${String(++histories).padStart(6, '0')}-`, { devices: 2, secondUser: false, commands: [] });
		try {
			const [, phone] = history.own;
			if (!phone) throw new Error('no second device');
			await history.run({ t: 'bigImport', d: 0 });
			await history.run({ t: 'sync', d: 0 });
			// The phone, synced before the import, starts a conversation: pushed, then its pull pages.
			await history.run({ t: 'create', d: 1, title: 'Mine', message: false });
			const created = /→ (h\d+-c\d+)/.exec(history.trace.at(-1) ?? '')?.[1] ?? '';
			await phone.deliver('ok');
			expect(phone.link.pending?.kind).toBe('pull');
			await phone.deliver('ok');
			expect(phone.link.pending?.kind, 'the pull has a second page').toBe('pull');
			// Between the pages, the phone still lists the conversation it created (queued, or stored).
			expect((await readConversationList(phone.store.db)).map((c) => c.id)).toContain(created);
		} finally {
			await history.close();
		}
	});

	// Found by the property above (seed -414852827, path 105:3:13:12:15:15:20:21:19:20:20:20:25:25:25:23…, earlier commands). Deleting a
	// conversation removes its messages, so their ids are free again, and any user may create a message with one.
	// A reply still being written into such an id keeps writing to "the message with that id": the job's flush and
	// #finish (server/generations/generation-jobs.ts, the messages updates in #run's flush and in #finish) match on the
	// id alone (`deleted_at IS NULL`), not on the user or the conversation. So the cancelled reply's text and status
	// landed in the other user's message. Fixed: a job writes only to the message of its own generation.
	it('a reply cancelled by its conversation delete never writes into another user’s message that took the freed id', async () => {
		const prefix = `h${String(++histories).padStart(6, '0')}-`;
		const history = await History.open(server, prefix, { devices: 1, secondUser: true, commands: [] });
		try {
			const [laptop] = history.own;
			const eve = history.intruder;
			if (!laptop || !eve) throw new Error('devices missing');
			await eve.drain();
			const [conversation, question, answer, reply, evesConversation] = [`${prefix}c1`, `${prefix}q`, `${prefix}a`, `${prefix}g`, `${prefix}eve-c`];
			// Ada asks for a long reply, and it starts.
			await laptop.enqueue('message.create', { id: question, conversationId: conversation, parentId: `${prefix}m3`, content: 'Go on [[sim:len=2000 trickle=10]]', createdAt: 1 });
			await laptop.enqueue('generation.request', { id: reply, conversationId: conversation, userMessageId: question, assistantMessageId: answer, createdAt: 1 });
			await laptop.settle();
			await laptop.syncFully();
			expect(server.services.jobs.runningCount).toBe(1);
			// Eve writes a message whose id happens to be the reply's; Ada deletes the conversation. Both arrive together.
			await eve.enqueue('conversation.create', { id: evesConversation, model: 'sim/echo-mini', createdAt: 1 });
			await eve.enqueue('message.create', { id: answer, conversationId: evesConversation, parentId: null, content: 'Eve’s own words', createdAt: 1 });
			await eve.settle();
			await laptop.enqueue('conversation.delete', { id: conversation });
			await laptop.settle();
			expect([laptop.link.pending?.kind, eve.link.pending?.kind]).toEqual(['push', 'push']);
			await Promise.all([laptop.link.deliver('ok'), eve.link.deliver('ok')]);
			await history.serverIdle();
			const row = server.db.select().from(messages).where(eq(messages.id, answer)).get();
			expect(row).toMatchObject({ userId: history.secondUser, conversationId: evesConversation, role: 'user', content: 'Eve’s own words', status: 'complete' });
		} finally {
			await history.close();
		}
	});

	// Found by the property above (seed 20261127 with SYNC_HISTORIES=1500, path 1113:2:5:6:8:11:17:22:22:22:16:2:11:…).
	// Eve queues a message with the id of Ada's m2 twice (offline: both go out together at the end), and Ada deletes
	// m2's conversation in between, which frees the id. Eve's first create takes it; the second, a create of an id
	// she already has, is "done already" and changes nothing (server/conversations/message-service.ts). Both are
	// acknowledged, so the model expected each to be the stored row; it now expects one of them to be.
	it('a message id created twice by one user: the first create stands, the second changes nothing', async () => {
		const history = await History.open(server, `h${String(++histories).padStart(6, '0')}-`, { devices: 4, secondUser: true, commands: [] });
		try {
			const steps: HistoryPlan['commands'] = [
				{ t: 'send', d: 29, pick: 0, reply: 'none' },
				{ t: 'intrude', kind: 'messageWithTheirId', pick: 0 },
				{ t: 'edit', d: 0, pick: 0, msg: 0, reply: 'none' },
				{ t: 'deliver', d: 0, fault: 'ok', answer: 0 },
				{ t: 'signIn', d: 0 },
				{ t: 'send', d: 1, pick: 0, reply: 'slow' },
				{ t: 'deliver', d: 0, fault: 'dropRequest', answer: 0 },
				{ t: 'signIn', d: 0 },
				{ t: 'signIn', d: 0 },
				{ t: 'sync', d: 0 },
				{ t: 'deliver', d: 0, fault: 'dropRequest', answer: 0 },
				{ t: 'edit', d: 0, pick: 0, msg: 0, reply: 'none' },
				{ t: 'deliver', d: 0, fault: 'dropRequest', answer: 0 },
				{ t: 'deleteConversation', d: 0, pick: 0 },
				{ t: 'deliver', d: 0, fault: 'dropRequest', answer: 0 },
				{ t: 'intrude', kind: 'messageWithTheirId', pick: 0 },
				{ t: 'join' }
			];
			for (const command of steps) await history.run(command);
			await history.quiesce();
			await checkQuiescent(history);
		} finally {
			await history.close();
		}
	});
});
