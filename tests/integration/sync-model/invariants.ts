import { and, eq } from 'drizzle-orm';
import { conversations, generations, ledgerEntries, messages, syncClients, syncRejections } from '../../../server/db/schema';
import { pull } from '../../../server/sync/pull';
import type { ConversationRow, GenerationRow, MessageRow, Mutation, MutationArgs, PullResponse, RejectionRow } from '../../../src/lib/domain/sync';
import { visibleBranch } from '../../../src/lib/client/store/branch';
import { viewConversation, viewConversations } from '../../../src/lib/client/store/pending-conversations';
import { viewMessages } from '../../../src/lib/client/store/pending-messages';
import { readConversation, readConversationList, type ConversationDetail } from '../../../src/lib/client/store/queries';
import type { Device } from './device';
import { check, type History } from './history';

const byId = <T extends { id: string }>(rows: T[]): T[] => rows.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
const byKey = (rows: RejectionRow[]) => rows.sort((a, b) => (a.clientId < b.clientId ? -1 : a.clientId > b.clientId ? 1 : a.mutationId - b.mutationId));
const json = (value: unknown) => JSON.stringify(value);

interface Rows {
	conversations: ConversationRow[];
	messages: MessageRow[];
	generations: GenerationRow[];
	rejections: RejectionRow[];
}

/** Everything a fresh device of `userId` would pull from version 0, page after page. */
export function freshPull(history: History, userId: string): Rows & { cursor: number } {
	const pages: PullResponse[] = [];
	let cursor = 0;
	for (let i = 0; i < 1_000; i++) {
		const page = pull(history.server.db, userId, { cursor });
		pages.push(page);
		check(page.cursor >= cursor, () => `pull from ${cursor} moved the cursor back to ${page.cursor}`);
		cursor = page.cursor;
		if (!page.more) break;
	}
	return {
		cursor,
		conversations: byId(pages.flatMap((p) => p.conversations)),
		messages: byId(pages.flatMap((p) => p.messages)),
		generations: byId(pages.flatMap((p) => p.generations)),
		rejections: byKey(pages.flatMap((p) => p.rejections))
	};
}

async function localRows(device: Device): Promise<Rows> {
	const db = device.store.db;
	return {
		conversations: byId(await db.conversations.toArray()),
		messages: byId(await db.messages.toArray()),
		generations: byId(await db.generations.toArray()),
		rejections: byKey(await db.rejections.toArray())
	};
}

/** What readConversation shows for `id` on a device holding exactly `rows` and nothing queued. */
function expectedDetail(rows: Rows, id: string): ConversationDetail | null {
	const conversation = viewConversation(id, rows.conversations, []);
	if (conversation === null) return null;
	const own = rows.messages.filter((m) => m.conversationId === id);
	const shown = viewMessages(id, own, [], conversation.model);
	const parents = new Map(own.map((m) => [m.id, m.parentId]));
	return {
		conversation,
		messages: shown,
		branch: visibleBranch(shown, conversation.activeLeafId, (messageId) => parents.get(messageId)),
		generations: rows.generations.filter((g) => g.conversationId === id)
	};
}

/** Everything of one user on the server that a replayed push could change (lastSeenAt aside). */
function snapshot(history: History, userId: string): string {
	const db = history.server.db;
	return json({
		counter: history.counter(),
		conversations: db.select().from(conversations).where(eq(conversations.userId, userId)).orderBy(conversations.id).all(),
		messages: db.select().from(messages).where(eq(messages.userId, userId)).orderBy(messages.id).all(),
		generations: db.select().from(generations).where(eq(generations.userId, userId)).orderBy(generations.id).all(),
		rejections: db.select().from(syncRejections).where(eq(syncRejections.userId, userId)).orderBy(syncRejections.clientId, syncRejections.mutationId).all(),
		clients: db
			.select({ clientId: syncClients.clientId, last: syncClients.lastMutationId })
			.from(syncClients)
			.where(eq(syncClients.userId, userId))
			.orderBy(syncClients.clientId)
			.all(),
		ledger: db.select().from(ledgerEntries).where(eq(ledgerEntries.userId, userId)).orderBy(ledgerEntries.id).all()
	});
}

/** The invariants of a quiescent history (every device synced, every reply ended). */
export async function checkQuiescent(history: History): Promise<void> {
	const newErrors = history.server.errors.slice(history.errorsBefore);
	check(newErrors.length === 0, () => `the server logged errors:\n${newErrors.join('\n')}`);
	for (const userId of history.users()) {
		const devices = history.devices.filter((d) => d.userId === userId);
		const server = freshPull(history, userId);
		await checkDevicesEqualServer(history, devices, server);
		checkIsolation(history, devices, server, userId);
		checkAcknowledgedOnce(history, devices, userId);
		checkPerClientOrder(history, devices, userId);
		checkServerTree(history, userId);
		checkRepliesRanOnce(history, devices, userId);
		await checkReplayChangesNothing(history, devices, userId);
	}
}

/** 1. Every device's server-state tables are the server's rows, and its views are the views of those rows. */
async function checkDevicesEqualServer(history: History, devices: Device[], server: Rows & { cursor: number }): Promise<void> {
	const expectedList = viewConversations(server.conversations, []);
	const ids = server.conversations.map((c) => c.id);
	for (const device of devices) {
		check((await device.store.db.outbox.count()) === 0, () => `${device.name}: the outbox is not empty after quiescence`);
		const state = device.engine.state;
		check(state.status === 'idle' && state.unsynced === 0 && state.lastError === null, () => `${device.name}: engine state after quiescence ${json(state)}`);
		const local = await localRows(device);
		for (const table of ['conversations', 'messages', 'generations', 'rejections'] as const) {
			check(json(local[table]) === json(server[table]), () => `${device.name}: local ${table} differ from a fresh pull\n  local:  ${json(local[table])}\n  server: ${json(server[table])}`);
		}
		const cursor = await device.cursor();
		check(cursor === server.cursor, () => `${device.name}: cursor ${cursor} after quiescence, the server's is ${server.cursor}`);
		const list = await readConversationList(device.store.db);
		check(json(list) === json(expectedList), () => `${device.name}: conversation list differs from the server's\n  local:  ${json(list)}\n  server: ${json(expectedList)}`);
		for (const id of ids) {
			const detail = await readConversation(device.store.db, id);
			if (detail) byId(detail.generations);
			const expected = expectedDetail(server, id);
			if (expected) byId(expected.generations);
			check(json(detail) === json(expected), () => `${device.name}: conversation ${id} reads differently from the server's rows\n  local:  ${json(detail)}\n  server: ${json(expected)}`);
		}
		// 5. Nothing deleted comes back.
		for (const id of history.deletedConversations.keys()) {
			if (history.ownerOf('conversations', id) !== device.userId) continue;
			check(!list.some((c) => c.id === id), () => `${device.name}: deleted conversation ${id} is listed`);
		}
		await history.checkNoneReturns(device);
	}
}

/** Isolation: a device holds only its own user's rows, and every change reaching into another user's was rejected. */
function checkIsolation(history: History, devices: Device[], server: Rows, userId: string): void {
	for (const [table, rows] of [
		['conversations', server.conversations],
		['messages', server.messages],
		['generations', server.generations]
	] as const) {
		for (const row of rows) check(history.ownerOf(table, row.id) === userId, () => `pull for ${userId} returned ${table} ${row.id} of ${history.ownerOf(table, row.id)}`);
	}
	const clients = new Set(history.server.db.select({ id: syncClients.clientId }).from(syncClients).where(eq(syncClients.userId, userId)).all().map((c) => c.id));
	for (const rejection of server.rejections) check(clients.has(rejection.clientId), () => `pull for ${userId} returned a rejection of client ${rejection.clientId}, not theirs`);
	for (const device of devices) {
		const { rejected } = history.processed(device);
		for (const [id, freedBy] of device.intrusions) {
			check(rejected.has(id) || history.freed(freedBy), () => `${device.name}: intrusion #${id} ${json(device.enqueued[id - 1])} was not rejected`);
		}
	}
}

const applied = (history: History, devices: Device[]) => devices.flatMap((d) => history.applied(d));

/** 3. Every acknowledged create exists exactly once, as created; nothing exists that no device created. */
function checkAcknowledgedOnce(history: History, devices: Device[], userId: string): void {
	const db = history.server.db;
	const done = applied(history, devices);
	const all = devices.flatMap((d) => d.enqueued);
	const conversationRows = new Map(db.select().from(conversations).where(eq(conversations.userId, userId)).all().map((r) => [r.id, r]));
	const messageRows = new Map(db.select().from(messages).where(eq(messages.userId, userId)).all().map((r) => [r.id, r]));
	const generationRows = new Map(db.select().from(generations).where(eq(generations.userId, userId)).all().map((r) => [r.id, r]));
	for (const m of done) {
		if (m.name === 'conversation.create') {
			const row = conversationRows.get(m.args.id);
			check(row && row.model === m.args.model && row.createdAt === m.args.createdAt, () => `acknowledged conversation.create ${json(m)} → server row ${json(row)}`);
		} else if (m.name === 'message.create') {
			const row = messageRows.get(m.args.id);
			const conversation = conversationRows.get(m.args.conversationId);
			if (conversation?.deletedAt !== null) {
				check(!row, () => `message ${m.args.id} of deleted conversation ${m.args.conversationId} is still on the server`);
				continue;
			}
			// A create of an id the user already has is done already and changes nothing: of several acknowledged
			// creates of one id (only an intruder reuses ids), one is the stored row.
			const creates = done.filter((other): other is typeof m => other.name === 'message.create' && other.args.id === m.args.id);
			const stored = (c: typeof m) =>
				row && row.role === 'user' && row.conversationId === c.args.conversationId && row.parentId === c.args.parentId && row.createdAt === c.args.createdAt && row.content === (row.deletedAt === null ? c.args.content : '');
			check(creates.some(stored), () => `acknowledged message.create ${json(m)} → server row ${json(row)}`);
		} else if (m.name === 'conversation.import') {
			const row = conversationRows.get(m.args.id);
			check(row && row.model === m.args.model && row.createdAt === m.args.createdAt, () => `acknowledged conversation.import ${json(m)} → server row ${json(row)}`);
		} else if (m.name === 'message.import') {
			const conversation = conversationRows.get(m.args.conversationId);
			for (const x of m.args.messages) {
				const row = messageRows.get(x.id);
				if (conversation?.deletedAt !== null) {
					check(!row, () => `imported message ${x.id} of deleted conversation ${m.args.conversationId} is still on the server`);
					continue;
				}
				// A message under one deleted since an earlier import is not imported (the tombstone wins).
				const parent = x.parentId === null ? undefined : messageRows.get(x.parentId);
				if (!row && x.parentId !== null && (!parent || parent.deletedAt !== null)) continue;
				check(
					row && row.role === x.role && row.conversationId === m.args.conversationId && row.parentId === x.parentId && row.createdAt === x.createdAt && row.content === (row.deletedAt === null ? x.content : ''),
					() => `acknowledged message.import of ${json(x)} → server row ${json(row)}`
				);
			}
		} else if (m.name === 'generation.request') {
			const row = generationRows.get(m.args.id);
			if (!row) {
				check(conversationRows.get(m.args.conversationId)?.deletedAt != null, () => `acknowledged generation.request ${json(m)} left no generation row, and its conversation is live`);
				continue;
			}
			check(row.conversationId === m.args.conversationId && row.userMessageId === m.args.userMessageId && row.assistantMessageId === m.args.assistantMessageId, () => `acknowledged generation.request ${json(m)} → server row ${json(row)}`);
		}
	}
	// No phantoms: every row traces back to one mutation a device queued.
	const created = (name: Mutation['name'], key: (m: Mutation) => string | undefined) => new Set(all.filter((m) => m.name === name).map(key));
	const conversationIds = new Set([
		...created('conversation.create', (m) => (m.args as MutationArgs<'conversation.create'>).id),
		...created('conversation.import', (m) => (m.args as MutationArgs<'conversation.import'>).id)
	]);
	const imported = all.flatMap((m) => (m.name === 'message.import' ? m.args.messages : []));
	const messageIds = new Set([...created('message.create', (m) => (m.args as MutationArgs<'message.create'>).id), ...imported.map((x) => x.id)]);
	const replyIds = created('generation.request', (m) => (m.args as MutationArgs<'generation.request'>).id);
	const assistantIds = created('generation.request', (m) => (m.args as MutationArgs<'generation.request'>).assistantMessageId);
	for (const id of conversationRows.keys()) check(conversationIds.has(id), () => `conversation ${id} of ${userId} was created by none of their devices`);
	for (const row of messageRows.values()) check(messageIds.has(row.id) || (row.role === 'assistant' && assistantIds.has(row.id)), () => `${row.role} message ${row.id} of ${userId} was created by none of their devices`);
	for (const id of generationRows.keys()) check(replyIds.has(id), () => `generation ${id} of ${userId} was requested by none of their devices`);
}

/**
 * 4. Each client's mutations were all processed, in id order: the server's last id is the number
 * queued, and a field only ever set by one device ends at that device's last value (with several
 * devices, at one of their last values).
 */
function checkPerClientOrder(history: History, devices: Device[], userId: string): void {
	for (const device of devices) {
		const { last } = history.processed(device);
		check(last === device.enqueued.length, () => `${device.name}: the server processed up to #${last}, the device queued ${device.enqueued.length}`);
	}
	const rows = history.server.db.select().from(conversations).where(eq(conversations.userId, userId)).all();
	for (const row of rows) {
		if (row.deletedAt !== null) continue;
		const fields = [
			['title', 'conversation.rename', (m: Mutation) => (m.name === 'conversation.rename' ? m.args.title : undefined), row.title],
			['pinned', 'conversation.pin', (m: Mutation) => (m.name === 'conversation.pin' ? m.args.pinned : undefined), row.pinned],
			['archived', 'conversation.archive', (m: Mutation) => (m.name === 'conversation.archive' ? m.args.archived : undefined), row.archived]
		] as const;
		for (const [field, name, valueOf, actual] of fields) {
			const lastByDevice = new Map<string, unknown>();
			for (const device of devices) {
				for (const m of history.applied(device)) if (m.name === name && m.args.id === row.id) lastByDevice.set(device.name, valueOf(m));
			}
			if (lastByDevice.size === 0) {
				if (field !== 'title') check(actual === false, () => `conversation ${row.id}: ${field} is ${actual} but no device ever set it`);
				continue;
			}
			check([...lastByDevice.values()].includes(actual), () => `conversation ${row.id}: ${field} is ${json(actual)}, but the devices' last values were ${json(Object.fromEntries(lastByDevice))}`);
		}
	}
}

/** The server's tree: live messages hang under live messages of the same conversation, and the active leaf is live. */
function checkServerTree(history: History, userId: string): void {
	const db = history.server.db;
	const all = db.select().from(messages).where(eq(messages.userId, userId)).all();
	const live = new Map(all.filter((m) => m.deletedAt === null).map((m) => [m.id, m]));
	for (const m of all) {
		if (m.role !== 'user') continue;
		check(m.status === 'complete' && m.generationId === null, () => `user message ${m.id} is ${m.status} (generation ${m.generationId}): only replies stream, stop or fail`);
	}
	const [orphan] = liveOrphans(history, userId);
	check(!orphan, () => `live message ${orphan?.id} hangs under ${orphan?.parentId}, which is not a live message of ${orphan?.conversationId}`);
	for (const c of db.select().from(conversations).where(eq(conversations.userId, userId)).all()) {
		if (c.deletedAt !== null) {
			check(c.activeLeafId === null && c.title === '' && c.systemPrompt === '', () => `deleted conversation ${c.id} keeps ${json(c)}`);
			check(!all.some((m) => m.conversationId === c.id), () => `deleted conversation ${c.id} keeps messages`);
			continue;
		}
		if (c.activeLeafId === null) continue;
		const leaf = live.get(c.activeLeafId);
		check(leaf && leaf.conversationId === c.id, () => `conversation ${c.id} shows leaf ${c.activeLeafId}, which is not one of its live messages`);
	}
}

/** Live messages of `userId` whose parent is not a live message of the same conversation. */
export function liveOrphans(history: History, userId: string): Array<{ id: string; parentId: string | null; conversationId: string }> {
	const all = history.server.db.select().from(messages).where(eq(messages.userId, userId)).all();
	const live = new Map(all.filter((m) => m.deletedAt === null).map((m) => [m.id, m]));
	return [...live.values()]
		.filter((m) => m.parentId !== null && live.get(m.parentId)?.conversationId !== m.conversationId)
		.map(({ id, parentId, conversationId }) => ({ id, parentId, conversationId }));
}

/** 6. No reply runs twice: one row, at most one reservation, at most one upstream call; every reply ended. */
function checkRepliesRanOnce(history: History, devices: Device[], userId: string): void {
	const db = history.server.db;
	const prompts = new Map<string, string>();
	for (const m of devices.flatMap((d) => d.enqueued)) if (m.name === 'message.create') prompts.set(m.args.id, m.args.content);
	const rows = db.select().from(generations).where(eq(generations.userId, userId)).all();
	for (const g of rows) {
		check(g.state !== 'requested' && g.state !== 'running', () => `reply ${g.id} is still ${g.state} after every job ended`);
		const reservations = db
			.select()
			.from(ledgerEntries)
			.where(and(eq(ledgerEntries.generationId, g.id), eq(ledgerEntries.kind, 'reservation')))
			.all().length;
		check(reservations <= 1, () => `reply ${g.id} has ${reservations} reservations`);
		const prompt = g.userMessageId ? prompts.get(g.userMessageId) : undefined;
		check(prompt !== undefined, () => `reply ${g.id} answers ${g.userMessageId}, which no device sent`);
		const calls = history.server.upstreamPrompts.filter((p) => p === prompt).length;
		check(calls <= 1, () => `reply ${g.id} (${g.state}) called the upstream ${calls} times`);
		if (g.state === 'done') check(calls === 1 && reservations === 1, () => `reply ${g.id} is done after ${calls} upstream calls and ${reservations} reservations`);
		// The user's own row: once its conversation is deleted, the id is free for anyone.
		const message = g.assistantMessageId ? db.select().from(messages).where(and(eq(messages.id, g.assistantMessageId), eq(messages.userId, userId))).get() : undefined;
		if (message && message.deletedAt === null) {
			const expected = g.state === 'done' ? 'complete' : g.state;
			check(message.status === expected, () => `reply ${g.id} is ${g.state} but its message is ${message.status}`);
		}
	}
}

/**
 * 2. Pushing a batch again changes nothing: each device's last push replayed after quiescence,
 * then every other push it ever sent, oldest first (all of them duplicates by now).
 */
async function checkReplayChangesNothing(history: History, devices: Device[], userId: string): Promise<void> {
	const before = snapshot(history, userId);
	const calls = history.server.upstreamPrompts.length;
	const replayed: string[] = [];
	for (const device of devices) {
		const last = device.link.sentPushes.at(-1);
		if (last === undefined) continue;
		for (const [i, body] of [last, ...device.link.sentPushes].entries()) {
			const what = `${device.name}'s ${i === 0 ? 'last push' : `push #${i}`}`;
			replayed.push(what);
			const response = await device.link.serverPush(body);
			check(response.lastMutationId === device.enqueued.length && response.rejected.length === 0, () => `replaying ${what} answered ${json(response)}`);
			check(history.server.services.jobs.runningCount === 0, () => `replaying ${what} started a reply`);
		}
	}
	await history.serverIdle();
	const after = snapshot(history, userId);
	check(after === before, () => `replaying pushes (${replayed.join(', ')}) changed the server\n  before: ${before}\n  after:  ${after}`);
	check(history.server.upstreamPrompts.length === calls, () => `replaying pushes (${replayed.join(', ')}) called the upstream`);
}
