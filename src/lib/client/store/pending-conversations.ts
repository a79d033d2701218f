import type { ConversationRow, MutationArgs } from '../../domain/sync';
import { titleFrom } from '../../domain/conversation-title';
import type { OutboxEntry } from './db';
import { inMutationOrder } from './pending-order';

/** A conversation; `pending` when a queued mutation changed it. */
export type ConversationView = ConversationRow & { pending: boolean };

/** Live (not deleted) conversations, most recently updated first. A delete wins over everything. */
export function viewConversations(rows: readonly ConversationRow[], outbox: readonly OutboxEntry[]): ConversationView[] {
	const live = new Map<string, ConversationView>();
	const deleted = new Set<string>();
	for (const row of rows) {
		if (row.deletedAt === null) live.set(row.id, { ...row, pending: false });
		else deleted.add(row.id);
	}
	for (const entry of inMutationOrder(outbox)) {
		if (entry.name === 'conversation.create' || entry.name === 'conversation.import') {
			const { id } = entry.args;
			if (!live.has(id) && !deleted.has(id)) live.set(id, createdConversation(entry.args));
			continue;
		}
		if (entry.name === 'conversation.delete') {
			live.delete(entry.args.id);
			deleted.add(entry.args.id);
			continue;
		}
		const target = conversationOf(entry);
		const conversation = target === null ? undefined : live.get(target);
		if (conversation === undefined) continue;
		applyToConversation(conversation, entry);
		conversation.pending = true;
		// Only new messages are activity; settings, pins and the shown branch leave the list's order alone.
		if (entry.name === 'message.create' || entry.name === 'generation.request') conversation.updatedAt = Math.max(conversation.updatedAt, entry.createdAt);
	}
	return [...live.values()].sort(
		(a, b) => b.updatedAt - a.updatedAt || b.createdAt - a.createdAt || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)
	);
}

/** One conversation as viewConversations shows it, or null when it does not exist or is deleted. */
export function viewConversation(
	id: string,
	rows: readonly ConversationRow[],
	outbox: readonly OutboxEntry[]
): ConversationView | null {
	const own = rows.filter((row) => row.id === id);
	return viewConversations(own, outbox).find((c) => c.id === id) ?? null;
}

function createdConversation(args: MutationArgs<'conversation.create'> | MutationArgs<'conversation.import'>): ConversationView {
	return {
		id: args.id,
		title: args.title,
		model: args.model,
		systemPrompt: args.systemPrompt,
		fallbackModels: 'fallbackModels' in args ? args.fallbackModels : [],
		temperature: null,
		maxTokens: null,
		pinned: false,
		archived: false,
		activeLeafId: null,
		createdAt: args.createdAt,
		updatedAt: 'updatedAt' in args ? args.updatedAt : args.createdAt,
		deletedAt: null,
		version: 0,
		pending: true
	};
}

/** The conversation a mutation changes, when its arguments say so (message.delete's do not). */
function conversationOf(entry: OutboxEntry): string | null {
	switch (entry.name) {
		case 'message.create':
		case 'generation.request':
		case 'message.import':
			return entry.args.conversationId;
		case 'message.delete':
		case 'generation.cancel':
			return null;
		default:
			return entry.args.id;
	}
}

function applyToConversation(c: ConversationView, entry: OutboxEntry): void {
	switch (entry.name) {
		case 'conversation.rename':
			c.title = entry.args.title;
			break;
		case 'conversation.pin':
			c.pinned = entry.args.pinned;
			break;
		case 'conversation.archive':
			c.archived = entry.args.archived;
			break;
		case 'conversation.setModel':
			c.model = entry.args.model;
			break;
		case 'conversation.setSystemPrompt':
			c.systemPrompt = entry.args.systemPrompt;
			break;
		case 'conversation.setFallbackModels':
			c.fallbackModels = entry.args.models;
			break;
		case 'conversation.setParameters':
			// Each field is its own value: one left out is kept.
			if (entry.args.temperature !== undefined) c.temperature = entry.args.temperature;
			if (entry.args.maxTokens !== undefined) c.maxTokens = entry.args.maxTokens;
			break;
		case 'conversation.setActiveLeaf':
			c.activeLeafId = entry.args.leafId;
			break;
		case 'message.create':
			c.activeLeafId = entry.args.id;
			// Untitled until the first user message; a rename (never empty) sets it for good.
			if (c.title === '') c.title = titleFrom(entry.args.content);
			break;
		case 'generation.request':
			c.activeLeafId = entry.args.assistantMessageId;
			break;
	}
}
