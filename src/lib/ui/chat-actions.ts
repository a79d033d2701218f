import { newId } from '../domain/new-id';
import { enqueue } from '../client/store/mutate';
import type { UserStore } from '../client/store/db';

/**
 * What a person does to their conversations, as mutations in the outbox: each shows at once
 * (the views apply queued mutations) and reaches the server when the sync loop pushes it.
 */

/** Starts a conversation with its first message and asks for a reply; returns the conversation id. */
export async function startConversation(
	store: UserStore,
	input: { content: string; model: string; fallbackModels?: string[]; systemPrompt?: string; temperature?: number | null; maxTokens?: number | null }
): Promise<string> {
	const conversationId = newId();
	const now = Date.now();
	await enqueue(store, 'conversation.create', {
		id: conversationId,
		model: input.model,
		fallbackModels: input.fallbackModels ?? [],
		systemPrompt: input.systemPrompt ?? '',
		createdAt: now
	});
	if (input.temperature != null || input.maxTokens != null) {
		await enqueue(store, 'conversation.setParameters', { id: conversationId, temperature: input.temperature ?? null, maxTokens: input.maxTokens ?? null });
	}
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

/** A reply to `userMessageId` as a new sibling of any earlier ones: regenerate, or retry a failed reply. */
export async function regenerate(store: UserStore, input: { conversationId: string; userMessageId: string; model?: string }): Promise<void> {
	await enqueue(store, 'generation.request', {
		id: newId(),
		conversationId: input.conversationId,
		userMessageId: input.userMessageId,
		assistantMessageId: newId(),
		...(input.model ? { model: input.model } : {}),
		createdAt: Date.now()
	});
}

/** An edit: the new text becomes a sibling of the original under the same parent, and gets its own reply. */
export async function editMessage(store: UserStore, input: { conversationId: string; parentId: string | null; content: string }): Promise<void> {
	await sendMessage(store, input);
}

export const showBranch = (store: UserStore, id: string, leafId: string) => enqueue(store, 'conversation.setActiveLeaf', { id, leafId });
export const deleteMessage = (store: UserStore, id: string) => enqueue(store, 'message.delete', { id });
export const setModel = (store: UserStore, id: string, model: string) => enqueue(store, 'conversation.setModel', { id, model });
export const setSystemPrompt = (store: UserStore, id: string, systemPrompt: string) => enqueue(store, 'conversation.setSystemPrompt', { id, systemPrompt });
export const setFallbackModels = (store: UserStore, id: string, models: string[]) => enqueue(store, 'conversation.setFallbackModels', { id, models });
export const setParameters = (store: UserStore, id: string, params: { temperature?: number | null; maxTokens?: number | null }) =>
	enqueue(store, 'conversation.setParameters', { id, ...params });
export const renameConversation = (store: UserStore, id: string, title: string) => enqueue(store, 'conversation.rename', { id, title });
export const pinConversation = (store: UserStore, id: string, pinned: boolean) => enqueue(store, 'conversation.pin', { id, pinned });
export const archiveConversation = (store: UserStore, id: string, archived: boolean) => enqueue(store, 'conversation.archive', { id, archived });
export const deleteConversation = (store: UserStore, id: string) => enqueue(store, 'conversation.delete', { id });
export const stopReply = (store: UserStore, generationId: string) => enqueue(store, 'generation.cancel', { id: generationId });
