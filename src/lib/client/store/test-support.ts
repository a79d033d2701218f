// Test helpers only: imports fake-indexeddb (a devDependency). Never import from app code.
import { IDBFactory, IDBKeyRange } from 'fake-indexeddb';
import {
	MUTATION_ARGS,
	type ConversationRow,
	type GenerationRow,
	type MessageRow,
	type MutationInput,
	type MutationName,
	type PullResponse
} from '../../domain/sync';
import { openUserStore, type OutboxEntry, type UserStore, type UserStoreOptions } from './db';

let stores = 0;

/**
 * A store on its own in-memory IndexedDB. The user id is unique per call: Dexie keys its liveQuery
 * cache and change signals by database name, so two tests (or two simulated devices) must not share one.
 */
export async function openTestStore(userId = `user${++stores}`, options: UserStoreOptions = {}): Promise<UserStore> {
	return openUserStore(userId, { indexedDB: new IDBFactory(), IDBKeyRange, ...options });
}

export function conversationRow(overrides: Partial<ConversationRow> & { id: string }): ConversationRow {
	return {
		title: '',
		model: 'openai/gpt-4o-mini',
		systemPrompt: '',
		fallbackModels: [],
		temperature: null,
		maxTokens: null,
		pinned: false,
		archived: false,
		activeLeafId: null,
		createdAt: 1_000,
		updatedAt: 1_000,
		deletedAt: null,
		version: 1,
		...overrides
	};
}

export function messageRow(overrides: Partial<MessageRow> & { id: string; conversationId: string }): MessageRow {
	return {
		parentId: null,
		role: 'user',
		content: 'hello',
		status: 'complete',
		model: null,
		generationId: null,
		createdAt: 1_000,
		deletedAt: null,
		version: 1,
		...overrides
	};
}

export function generationRow(overrides: Partial<GenerationRow> & { id: string; conversationId: string }): GenerationRow {
	return {
		userMessageId: 'm-user',
		assistantMessageId: 'm-reply',
		models: ['openai/gpt-4o-mini'],
		model: null,
		state: 'requested',
		failureReason: null,
		tokensIn: null,
		tokensOut: null,
		costNanoUsd: null,
		costSource: null,
		createdAt: 1_000,
		startedAt: null,
		firstTokenAt: null,
		finishedAt: null,
		version: 1,
		...overrides
	};
}

export function pullPage(overrides: Partial<PullResponse> = {}): PullResponse {
	return { cursor: 0, more: false, lastMutationId: 0, conversations: [], messages: [], generations: [], rejections: [], ...overrides };
}

/** An outbox entry as enqueue() would write it (arguments parsed, defaults applied). */
export function outboxEntry<N extends MutationName>(id: number, name: N, args: MutationInput<N>, createdAt = 2_000): OutboxEntry {
	const parsed = MUTATION_ARGS[name].parse(args) as { id?: string; conversationId?: string };
	// Message deletes and cancels have no conversation in their args; tests that need it set it.
	const conversationId = parsed.conversationId ?? (name === 'message.delete' || name === 'generation.cancel' ? null : (parsed.id ?? null));
	return { id, name, args: parsed, createdAt, conversationId } as OutboxEntry;
}
