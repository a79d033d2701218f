import type { Table } from 'dexie';
import type { PullResponse } from '../../domain/sync';
import { readMeta, type UserStore } from '../store/db';

type Versioned = { version: number };

/**
 * Stores one pull page in ONE transaction: rows, rejections, the cursor and — on the last page of a
 * pull (`more` false) — the outbox entries it acknowledges (id ≤ lastMutationId: by then their effect
 * or rejection is in the stored rows).
 * Atomic, so the UI never sees a mutation both applied and still pending, or neither. A
 * conversation tombstone also removes that conversation's local messages and replies.
 *
 * A stored row is only replaced by a newer version. Checking costs a read per row, so it is skipped
 * when it cannot matter: every stored row has version ≤ the stored cursor (cursor and rows are
 * written together), and every row of a page asked for with that same cursor has a greater
 * version. Pass `requestCursor` (the cursor the page was pulled with) to get that fast path; without
 * it, or when another writer moved the cursor meanwhile, each table is checked with one bulkGet.
 *
 * Returns the stored cursor after the page.
 */
export async function applyPull(store: UserStore, page: PullResponse, requestCursor?: number): Promise<number> {
	const db = store.db;
	const tables = [db.conversations, db.messages, db.generations, db.rejections, db.outbox, db.meta];
	return db.transaction('rw', tables, async () => {
		const stored = (await readMeta(db, 'cursor')) ?? 0;
		const blind = requestCursor !== undefined && requestCursor === stored && allAbove(page, stored);
		const cursor = Math.max(stored, page.cursor);
		await Promise.all([
			putNewer(db.conversations, page.conversations, blind, (r) => r.id),
			putNewer(db.messages, page.messages, blind, (r) => r.id),
			putNewer(db.generations, page.generations, blind, (r) => r.id),
			putNewer(db.rejections, page.rejections, blind, (r): [string, number] => [r.clientId, r.mutationId]),
			// Only the last page of a pull: a mutation's rows may come on a later page than the one that
			// reports it processed, and until they are stored the queued change must still show.
			page.lastMutationId > 0 && !page.more ? db.outbox.where('id').belowOrEqual(page.lastMutationId).delete() : null,
			cursor !== stored ? db.meta.put({ key: 'cursor', value: cursor }) : null
		]);
		await forgetDeletedConversations(store, page);
		return cursor;
	});
}

/**
 * The server removes a deleted conversation's messages and stops sending its replies rather than
 * sending a tombstone for each: the tombstone of the conversation stands for them all.
 */
async function forgetDeletedConversations(store: UserStore, page: PullResponse): Promise<void> {
	const deleted = page.conversations.filter((c) => c.deletedAt !== null).map((c) => c.id);
	if (deleted.length === 0) return;
	await Promise.all([
		store.db.messages.where('conversationId').anyOf(deleted).delete(),
		store.db.generations.where('conversationId').anyOf(deleted).delete()
	]);
}

/** The protocol promises version > cursor; a page that breaks it takes the checked path. */
function allAbove(page: PullResponse, cursor: number): boolean {
	for (const rows of [page.conversations, page.messages, page.generations, page.rejections]) {
		for (const row of rows) if (row.version <= cursor) return false;
	}
	return true;
}

/** Writes the rows whose version is newer than the stored one (all of them when `blind`). */
export async function putNewer<T extends Versioned, K>(
	table: Table<T, K>,
	rows: readonly T[],
	blind: boolean,
	keyOf: (row: T) => K
): Promise<void> {
	if (rows.length === 0) return;
	if (blind) {
		await table.bulkPut(rows as T[]);
		return;
	}
	const existing = await table.bulkGet(rows.map(keyOf));
	const newer = rows.filter((row, i) => {
		const old = existing[i];
		return old === undefined || old.version < row.version;
	});
	if (newer.length > 0) await table.bulkPut(newer);
}
