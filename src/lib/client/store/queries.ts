import type { GenerationRow, RejectionRow } from '../../domain/sync';
import { visibleBranch, type BranchStep } from './branch';
import type { PhosphorDb } from './db';
import { viewConversation, viewConversations, type ConversationView } from './pending-conversations';
import { viewMessages, type MessageView } from './pending-messages';

/**
 * Reads for the UI, meant to run inside Dexie's liveQuery (`liveQuery(() => readConversationList(store.db))`):
 * each reads the server rows and the outbox in one go and returns the view with pending changes applied.
 */

export async function readConversationList(db: PhosphorDb): Promise<ConversationView[]> {
	const [rows, outbox] = await Promise.all([db.conversations.toArray(), db.outbox.toArray()]);
	return viewConversations(rows, outbox);
}

export interface ConversationDetail {
	conversation: ConversationView;
	/** Every live message of the tree, oldest first. */
	messages: MessageView[];
	/** The branch to show, root first, with each step's siblings for branch navigation. */
	branch: BranchStep<MessageView>[];
	/** The conversation's replies (state, model, tokens, cost), server rows only. */
	generations: GenerationRow[];
}

/** One conversation with its messages, or null when it does not exist (or is deleted, even if only queued). */
export async function readConversation(db: PhosphorDb, id: string): Promise<ConversationDetail | null> {
	const [rows, messageRows, generations, outbox] = await Promise.all([
		db.conversations.where('id').equals(id).toArray(),
		db.messages.where('conversationId').equals(id).toArray(),
		db.generations.where('conversationId').equals(id).toArray(),
		// Only this conversation's queued changes: a write elsewhere does not wake this view.
		db.outbox.where('conversationId').equals(id).toArray()
	]);
	const conversation = viewConversation(id, rows, outbox);
	if (conversation === null) return null;
	const messages = viewMessages(id, messageRows, outbox, conversation.model);
	// Parents of every message known here, deleted ones included: a deleted active leaf falls back to its nearest live ancestor.
	const parents = new Map(messageRows.map((m) => [m.id, m.parentId]));
	for (const entry of outbox) {
		if (entry.name === 'message.create') parents.set(entry.args.id, entry.args.parentId);
		if (entry.name === 'generation.request') parents.set(entry.args.assistantMessageId, entry.args.userMessageId);
	}
	const branch = visibleBranch(messages, conversation.activeLeafId, (messageId) => parents.get(messageId));
	return { conversation, messages, branch, generations };
}

/** Changes the server refused, newest first: what to tell the person. */
export async function readRejections(db: PhosphorDb): Promise<RejectionRow[]> {
	const rows = await db.rejections.toArray();
	return rows.sort((a, b) => b.createdAt - a.createdAt || b.mutationId - a.mutationId);
}

/** Changes not yet confirmed by the server (in any tab). */
export function countUnsynced(db: PhosphorDb): Promise<number> {
	return db.outbox.count();
}
