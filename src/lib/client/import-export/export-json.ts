import type { ConversationRow, MessageRow } from '../../domain/sync';
import { visibleBranch } from '../store/branch';
import type { OutboxEntry, PhosphorDb } from '../store/db';
import { viewConversations, viewMessages } from '../store/pending';
import { inMutationOrder } from '../store/pending-order';
import { PHOSPHOR_EXPORT_FORMAT, PHOSPHOR_EXPORT_VERSION, type PhosphorExport, type PhosphorExportConversation } from './phosphor-format';

/**
 * Every live conversation of the store with every message of its tree, as the UI shows them
 * (server rows with queued changes applied: the same views as readConversationList and
 * readConversation), read in one transaction. `activeLeafId` is the leaf of the branch the UI
 * shows. Serialize with JSON.stringify; name the file with exportAllFilename().
 */
export async function exportAllJson(db: PhosphorDb, now: number = Date.now()): Promise<PhosphorExport> {
	const { conversationRows, messageRows, outbox } = await db.transaction('r', db.conversations, db.messages, db.outbox, async () => ({
		conversationRows: await db.conversations.toArray(),
		messageRows: await db.messages.toArray(),
		outbox: await db.outbox.toArray()
	}));
	return { format: PHOSPHOR_EXPORT_FORMAT, version: PHOSPHOR_EXPORT_VERSION, exportedAt: now, conversations: exportConversations(conversationRows, messageRows, outbox) };
}

/** The pure part of exportAllJson, for a snapshot of the store's tables. */
export function exportConversations(
	conversationRows: readonly ConversationRow[],
	messageRows: readonly MessageRow[],
	outbox: readonly OutboxEntry[]
): PhosphorExportConversation[] {
	const rowsByConversation = groupBy(messageRows, (m) => m.conversationId);
	// viewMessages reads the whole outbox for each conversation; hand it only the entries that can
	// matter to that one (those naming it, and the deletes and cancels, which name no conversation).
	const ordered = inMutationOrder(outbox);
	const entriesByConversation = new Map<string, OutboxEntry[]>();
	const unnamed: OutboxEntry[] = [];
	// Parents of every message known here, deleted ones included, as readConversation builds them.
	const parents = new Map<string, string | null>(messageRows.map((m) => [m.id, m.parentId]));
	for (const entry of ordered) {
		switch (entry.name) {
			case 'message.create':
				parents.set(entry.args.id, entry.args.parentId);
				push(entriesByConversation, entry.args.conversationId, entry);
				break;
			case 'generation.request':
				parents.set(entry.args.assistantMessageId, entry.args.userMessageId);
				push(entriesByConversation, entry.args.conversationId, entry);
				break;
			case 'message.import':
				push(entriesByConversation, entry.args.conversationId, entry);
				break;
			case 'conversation.delete':
				push(entriesByConversation, entry.args.id, entry);
				break;
			case 'message.delete':
			case 'generation.cancel':
				unnamed.push(entry);
				break;
		}
	}
	const parentOf = (id: string) => parents.get(id);
	return viewConversations(conversationRows, outbox).map((conversation) => {
		const entries = [...(entriesByConversation.get(conversation.id) ?? []), ...unnamed];
		const messages = viewMessages(conversation.id, rowsByConversation.get(conversation.id) ?? [], entries, conversation.model);
		const leaf = visibleBranch(messages, conversation.activeLeafId, parentOf).at(-1)?.message.id ?? null;
		return {
			id: conversation.id,
			title: conversation.title,
			model: conversation.model,
			systemPrompt: conversation.systemPrompt,
			fallbackModels: [...conversation.fallbackModels],
			temperature: conversation.temperature,
			maxTokens: conversation.maxTokens,
			pinned: conversation.pinned,
			archived: conversation.archived,
			createdAt: conversation.createdAt,
			updatedAt: conversation.updatedAt,
			activeLeafId: leaf,
			messages: messages.map((m) => ({
				id: m.id,
				parentId: m.parentId,
				role: m.role,
				content: m.content,
				status: m.status,
				model: m.model,
				createdAt: m.createdAt
			}))
		};
	});
}

function groupBy<T>(items: readonly T[], key: (item: T) => string): Map<string, T[]> {
	const groups = new Map<string, T[]>();
	for (const item of items) push(groups, key(item), item);
	return groups;
}

function push<T>(map: Map<string, T[]>, key: string, item: T): void {
	const list = map.get(key);
	if (list) list.push(item);
	else map.set(key, [item]);
}
