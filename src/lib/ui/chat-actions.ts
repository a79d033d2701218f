import { newId } from '../domain/ids';
import { enqueue } from '../client/store/mutate';
import type { UserStore } from '../client/store/db';

/**
 * What a person does to their conversations, as mutations in the outbox: each shows at once
 * (the views apply queued mutations) and reaches the server when the sync loop pushes it.
 */

/** Starts a conversation with its first message and asks for a reply; returns the conversation id. */
export async function startConversation(store: UserStore, input: { content: string; model: string; fallbackModels?: string[] }): Promise<string> {
	const conversationId = newId();
	const now = Date.now();
	await enqueue(store, 'conversation.create', { id: conversationId, model: input.model, fallbackModels: input.fallbackModels ?? [], createdAt: now });
	await sendMessage(store, { conversationId, parentId: null, content: input.content }, now);
	return conversationId;
}

/** A user message under `parentId` (the shown branch's leaf) and a request for its reply. */
export async function sendMessage(store: UserStore, input: { conversationId: string; parentId: string | null; content: string }, now = Date.now()): Promise<void> {
	const userMessageId = newId();
	await enqueue(store, 'message.create', { id: userMessageId, conversationId: input.conversationId, parentId: input.parentId, content: input.content, createdAt: now });
	await enqueue(store, 'generation.request', {
		id: newId(),
		conversationId: input.conversationId,
		userMessageId,
		assistantMessageId: newId(),
		createdAt: now
	});
}

export const renameConversation = (store: UserStore, id: string, title: string) => enqueue(store, 'conversation.rename', { id, title });
export const pinConversation = (store: UserStore, id: string, pinned: boolean) => enqueue(store, 'conversation.pin', { id, pinned });
export const archiveConversation = (store: UserStore, id: string, archived: boolean) => enqueue(store, 'conversation.archive', { id, archived });
export const deleteConversation = (store: UserStore, id: string) => enqueue(store, 'conversation.delete', { id });
export const stopReply = (store: UserStore, generationId: string) => enqueue(store, 'generation.cancel', { id: generationId });
