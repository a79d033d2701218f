import { and, eq, inArray, isNull, sql } from 'drizzle-orm';
import { titleFrom } from '../../src/lib/domain/conversation-title';
import { pathToLeaf } from '../../src/lib/domain/message-tree';
import type { MessageId } from '../../src/lib/domain/ids';
import type { MutationArgs } from '../../src/lib/domain/sync';
import type { DbOrTx } from '../db/client';
import { conversations, messages } from '../db/schema';
import type { ChatTurn } from '../orchestrator/upstream';
import { MutationRejected, notFound } from '../sync/mutation-rejected';
import { findOwned, requireLive } from './conversation-service';

export type MessageRecord = typeof messages.$inferSelect;

/**
 * A user's message under `parentId` in a live conversation: an edit is a new sibling, never a
 * rewrite. It becomes the active leaf, and a conversation without a title takes its first line.
 */
export function createUserMessage(tx: DbOrTx, userId: string, args: MutationArgs<'message.create'>, now = Date.now()): void {
	const existing = tx.select({ userId: messages.userId }).from(messages).where(eq(messages.id, args.id)).get();
	if (existing) {
		if (existing.userId === userId) return;
		throw new MutationRejected('That message id is taken. The message was not sent.');
	}
	const conversation = requireLive(tx, userId, args.conversationId);
	if (!conversation) return;
	if (args.parentId !== null) {
		const parent = findMessage(tx, args.conversationId, args.parentId);
		if (!parent) throw notFound('message to reply under');
	}
	tx.insert(messages)
		.values({
			id: args.id,
			conversationId: args.conversationId,
			userId,
			parentId: args.parentId,
			role: 'user',
			content: args.content,
			status: 'complete',
			createdAt: args.createdAt
		})
		.run();
	tx.update(conversations)
		.set({ activeLeafId: args.id, updatedAt: now, ...(conversation.title === '' ? { title: titleFrom(args.content) } : {}) })
		.where(eq(conversations.id, args.conversationId))
		.run();
}

/**
 * Finished messages of an imported conversation. Ids already stored (this user's) are skipped, so
 * an import can be repeated; a parent must be stored already or come earlier in the batch; a
 * message under one deleted since is not brought back.
 */
export function importMessages(tx: DbOrTx, userId: string, args: MutationArgs<'message.import'>): void {
	if (!requireLive(tx, userId, args.conversationId)) return;
	const known = new Set<string>();
	/** Deleted since an earlier import: nothing may come back under them (a tombstone wins). */
	const gone = new Set<string>();
	for (const message of args.messages) {
		const existing = tx
			.select({ userId: messages.userId, conversationId: messages.conversationId, deletedAt: messages.deletedAt })
			.from(messages)
			.where(eq(messages.id, message.id))
			.get();
		if (existing) {
			if (existing.userId !== userId || existing.conversationId !== args.conversationId) throw new MutationRejected('A message id in this import is taken. Nothing was imported from this batch.');
			(existing.deletedAt === null ? known : gone).add(message.id);
			continue;
		}
		if (message.parentId !== null && gone.has(message.parentId)) {
			gone.add(message.id);
			continue;
		}
		if (message.parentId !== null && !known.has(message.parentId)) {
			const parent = tx.select({ deletedAt: messages.deletedAt }).from(messages).where(and(eq(messages.id, message.parentId), eq(messages.conversationId, args.conversationId))).get();
			if (!parent) throw new MutationRejected('An imported message answers a message that is not in the import. Nothing was imported from this batch.');
			if (parent.deletedAt !== null) {
				gone.add(message.id);
				continue;
			}
		}
		tx.insert(messages)
			.values({ ...message, conversationId: args.conversationId, userId, status: 'complete', generationId: null })
			.run();
		known.add(message.id);
	}
}

/** A live message of that conversation. */
export function findMessage(tx: DbOrTx, conversationId: string, id: string): MessageRecord | undefined {
	return tx
		.select()
		.from(messages)
		.where(and(eq(messages.id, id), eq(messages.conversationId, conversationId), isNull(messages.deletedAt)))
		.get();
}

/**
 * Deletes a message and every reply below it (tombstones, text cleared). When the shown branch
 * ran through it, the conversation shows the deleted message's parent instead. Returns the
 * generations of the deleted replies: any still running must be stopped.
 */
export function deleteMessage(tx: DbOrTx, userId: string, id: string, now = Date.now()): string[] {
	const row = tx.select().from(messages).where(and(eq(messages.id, id), eq(messages.userId, userId))).get();
	if (!row) throw notFound('message');
	if (row.deletedAt !== null) return [];
	const conversation = findOwned(tx, userId, row.conversationId);
	if (!conversation || conversation.deletedAt !== null) return [];
	const subtree = tx.all<{ id: string }>(sql`
		WITH RECURSIVE below(id) AS (SELECT ${id} UNION ALL SELECT m.id FROM messages m JOIN below b ON m.parent_id = b.id)
		SELECT id FROM below`);
	const ids = subtree.map((r) => r.id);
	const generationIds = tx
		.select({ id: messages.generationId })
		.from(messages)
		.where(inArray(messages.id, ids))
		.all()
		.flatMap((m) => (m.id ? [m.id] : []));
	tx.update(messages).set({ deletedAt: now, content: '' }).where(inArray(messages.id, ids)).run();
	if (conversation.activeLeafId && ids.includes(conversation.activeLeafId)) {
		tx.update(conversations).set({ activeLeafId: row.parentId, updatedAt: now }).where(eq(conversations.id, conversation.id)).run();
	}
	return generationIds;
}

/**
 * What the model is sent for a reply to `leafId`: the path from the root down to it — not every
 * message of the conversation — with the conversation's system prompt first. Failed, unfinished
 * or empty replies on the path are left out; a stopped one counts with the text it has.
 */
export function historyFor(tx: DbOrTx, conversationId: string, leafId: string, systemPrompt: string): ChatTurn[] {
	const rows = tx
		.select({ id: messages.id, parentId: messages.parentId, role: messages.role, content: messages.content, status: messages.status })
		.from(messages)
		.where(and(eq(messages.conversationId, conversationId), isNull(messages.deletedAt)))
		.all();
	const path = pathToLeaf(
		rows.map((r) => ({ ...r, id: r.id as MessageId, parentId: r.parentId as MessageId | null })),
		leafId as MessageId
	);
	const turns: ChatTurn[] = systemPrompt.trim() ? [{ role: 'system', content: systemPrompt }] : [];
	for (const m of path) {
		if (m.role === 'assistant' && (m.status === 'failed' || m.status === 'streaming' || m.content === '')) continue;
		turns.push({ role: m.role, content: m.content });
	}
	return turns;
}
