import { and, eq, isNull } from 'drizzle-orm';
import type { MutationArgs } from '../../src/lib/domain/sync';
import type { DbOrTx } from '../db/client';
import { conversations, messages } from '../db/schema';
import { MutationRejected, notFound } from '../sync/mutation-rejected';

export type ConversationRecord = typeof conversations.$inferSelect;

/**
 * Conversation rules, for sync mutations and generation.start alike. Fields are last-writer-wins
 * in the order the server applies them; a delete is a tombstone, and a tombstone wins: edits to a
 * deleted conversation are acknowledged and change nothing.
 */
export function findOwned(tx: DbOrTx, userId: string, id: string): ConversationRecord | undefined {
	return tx
		.select()
		.from(conversations)
		.where(and(eq(conversations.id, id), eq(conversations.userId, userId)))
		.get();
}

/** The caller's live conversation, or a rejection; null when it is a tombstone (the edit is moot). */
export function requireLive(tx: DbOrTx, userId: string, id: string): ConversationRecord | null {
	const row = findOwned(tx, userId, id);
	if (!row) throw notFound('conversation');
	return row.deletedAt === null ? row : null;
}

export function createConversation(tx: DbOrTx, userId: string, args: MutationArgs<'conversation.create'>, now = Date.now()): void {
	const existing = tx.select({ userId: conversations.userId }).from(conversations).where(eq(conversations.id, args.id)).get();
	if (existing) {
		// Pushed twice (or its response was lost): done already. Someone else's id: refuse without saying so.
		if (existing.userId === userId) return;
		throw new MutationRejected('That conversation id is taken. The conversation was not created.');
	}
	tx.insert(conversations)
		.values({
			id: args.id,
			userId,
			title: args.title,
			model: args.model,
			systemPrompt: args.systemPrompt,
			fallbackModels: args.fallbackModels,
			createdAt: args.createdAt,
			updatedAt: now
		})
		.run();
}

/** An imported conversation: created once; a second import of the same id changes nothing. */
export function importConversation(tx: DbOrTx, userId: string, args: MutationArgs<'conversation.import'>): void {
	const existing = tx.select({ userId: conversations.userId }).from(conversations).where(eq(conversations.id, args.id)).get();
	if (existing) {
		if (existing.userId === userId) return;
		throw new MutationRejected('That conversation id is taken. The conversation was not imported.');
	}
	tx.insert(conversations)
		.values({ id: args.id, userId, title: args.title, model: args.model, systemPrompt: args.systemPrompt, createdAt: args.createdAt, updatedAt: args.updatedAt })
		.run();
}

type Patch = Partial<Pick<ConversationRecord, 'title' | 'model' | 'systemPrompt' | 'fallbackModels' | 'temperature' | 'maxTokens' | 'pinned' | 'archived' | 'activeLeafId'>>;

/**
 * Applies field changes to a live conversation; a tombstoned one is left as it is. Settings, pins
 * and the shown branch are not activity: `updatedAt` (the list's order) moves only with messages.
 */
export function updateConversation(tx: DbOrTx, userId: string, id: string, patch: Patch): void {
	if (!requireLive(tx, userId, id)) return;
	tx.update(conversations)
		.set(patch)
		.where(eq(conversations.id, id))
		.run();
}

export function setActiveLeaf(tx: DbOrTx, userId: string, args: MutationArgs<'conversation.setActiveLeaf'>): void {
	if (!requireLive(tx, userId, args.id)) return;
	const leaf = tx
		.select({ id: messages.id })
		.from(messages)
		.where(and(eq(messages.id, args.leafId), eq(messages.conversationId, args.id), isNull(messages.deletedAt)))
		.get();
	if (!leaf) throw notFound('message');
	updateConversation(tx, userId, args.id, { activeLeafId: args.leafId });
}

/**
 * Tombstones the conversation and forgets what it said: title and system prompt are cleared and
 * its messages removed. Generation rows stay, for the cost ledger's reports.
 */
export function deleteConversation(tx: DbOrTx, userId: string, id: string, now = Date.now()): void {
	if (!requireLive(tx, userId, id)) return;
	tx.update(conversations)
		.set({ deletedAt: now, updatedAt: now, title: '', systemPrompt: '', activeLeafId: null })
		.where(eq(conversations.id, id))
		.run();
	tx.delete(messages).where(eq(messages.conversationId, id)).run();
}
