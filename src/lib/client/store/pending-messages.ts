import type { MessageRow, MutationArgs } from '../../domain/sync';
import type { OutboxEntry } from './db';
import { inMutationOrder } from './pending-order';

/** A message; `queued` when it exists only in the outbox so far. */
export type MessageView = MessageRow & { queued: boolean };

/**
 * A conversation's live messages, oldest first, with queued mutations applied: a queued user
 * message appears complete, a queued generation.request appears as an empty streaming assistant
 * message (its id is the request's assistantMessageId, so the server's row later replaces it in
 * place). A deleted message takes its descendants with it, as on the server, and a queued message
 * under a deleted one is hidden too (the server will reject it). A conversation delete hides all.
 * `conversationModel` names the model a queued reply will use when its request names none.
 */
export function viewMessages(
	conversationId: string,
	rows: readonly MessageRow[],
	outbox: readonly OutboxEntry[],
	conversationModel: string | null = null
): MessageView[] {
	const live = new Map<string, MessageView>();
	/** Deleted on the server or by a queued message.delete: nothing may appear under these. */
	const gone = new Set<string>();
	for (const row of rows) {
		if (row.conversationId !== conversationId) continue;
		if (row.deletedAt === null) live.set(row.id, { ...row, queued: false });
		else gone.add(row.id);
	}
	for (const entry of inMutationOrder(outbox)) {
		switch (entry.name) {
			case 'conversation.delete':
				if (entry.args.id === conversationId) return [];
				break;
			case 'message.create':
				if (entry.args.conversationId === conversationId) addQueued(live, gone, userMessage(entry.args));
				break;
			case 'generation.request':
				if (entry.args.conversationId === conversationId) {
					const prompt = live.get(entry.args.userMessageId);
					addQueued(live, gone, placeholder(entry.args, conversationModel, prompt?.createdAt ?? 0));
				}
				break;
			case 'message.import':
				if (entry.args.conversationId === conversationId) {
					for (const m of entry.args.messages) addQueued(live, gone, importedMessage(conversationId, m));
				}
				break;
			case 'message.delete':
				deleteSubtree(live, gone, entry.args.id);
				break;
			case 'generation.cancel':
				for (const [id, message] of live) {
					if (message.generationId === entry.args.id && message.status === 'streaming') {
						live.set(id, { ...message, status: 'cancelled' });
					}
				}
				break;
		}
	}
	return [...live.values()].sort((a, b) => a.createdAt - b.createdAt || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

function addQueued(live: Map<string, MessageView>, gone: Set<string>, message: MessageView): void {
	if (live.has(message.id) || gone.has(message.id)) return; // pulled already (the server's row wins), or deleted
	if (message.parentId !== null && gone.has(message.parentId)) {
		gone.add(message.id); // under a deleted message: its own replies are hidden too
		return;
	}
	live.set(message.id, message);
}

function importedMessage(conversationId: string, m: MutationArgs<'message.import'>['messages'][number]): MessageView {
	return { ...m, conversationId, status: 'complete', generationId: null, deletedAt: null, version: 0, queued: true };
}

function userMessage(args: MutationArgs<'message.create'>): MessageView {
	return {
		id: args.id,
		conversationId: args.conversationId,
		parentId: args.parentId,
		role: 'user',
		content: args.content,
		status: 'complete',
		model: null,
		generationId: null,
		createdAt: args.createdAt,
		deletedAt: null,
		version: 0,
		queued: true
	};
}

/** As the server writes it: the first model asked for, never older than its question. */
function placeholder(args: MutationArgs<'generation.request'>, conversationModel: string | null, promptCreatedAt: number): MessageView {
	return {
		id: args.assistantMessageId,
		conversationId: args.conversationId,
		parentId: args.userMessageId,
		role: 'assistant',
		content: '',
		status: 'streaming',
		model: args.model ?? conversationModel,
		generationId: args.id,
		createdAt: Math.max(args.createdAt, promptCreatedAt),
		deletedAt: null,
		version: 0,
		queued: true
	};
}

function deleteSubtree(live: Map<string, MessageView>, gone: Set<string>, rootId: string): void {
	const children = new Map<string, string[]>();
	for (const message of live.values()) {
		if (message.parentId === null) continue;
		const siblings = children.get(message.parentId);
		if (siblings) siblings.push(message.id);
		else children.set(message.parentId, [message.id]);
	}
	const stack = [rootId];
	const seen = new Set<string>(); // a cycle in bad data must not loop
	for (let id = stack.pop(); id !== undefined; id = stack.pop()) {
		if (seen.has(id)) continue;
		seen.add(id);
		live.delete(id);
		gone.add(id);
		stack.push(...(children.get(id) ?? []));
	}
}
