import { and, eq } from 'drizzle-orm';
import type { MutationArgs } from '../../src/lib/domain/sync';
import type { DbOrTx } from '../db/client';
import { conversations, generations, messages } from '../db/schema';
import { requireLive } from '../conversations/conversation-service';
import { findMessage, historyFor } from '../conversations/message-service';
import { MutationRejected, notFound } from '../sync/mutation-rejected';
import type { GenerationJobs, LaunchJob } from './generation-jobs';

/**
 * Writes a requested reply — the generation row and its empty assistant message, which becomes
 * the conversation's active leaf — and returns the job to launch once the transaction commits
 * (null when there is nothing to run). The id is the client's: a request seen twice runs once.
 */
export function requestGeneration(tx: DbOrTx, userId: string, args: MutationArgs<'generation.request'>, now = Date.now()): LaunchJob | null {
	const existing = tx.select({ userId: generations.userId }).from(generations).where(eq(generations.id, args.id)).get();
	if (existing) {
		if (existing.userId === userId) return null;
		throw new MutationRejected('That reply id is taken. No reply was started.');
	}
	const conversation = requireLive(tx, userId, args.conversationId);
	if (!conversation) return null;
	const prompt = findMessage(tx, args.conversationId, args.userMessageId);
	if (!prompt || prompt.role !== 'user') throw notFound('message to reply to');
	if (tx.select({ id: messages.id }).from(messages).where(eq(messages.id, args.assistantMessageId)).get()) {
		throw new MutationRejected('That reply id is taken. No reply was started.');
	}
	const models = [args.model ?? conversation.model, ...(args.fallbackModels ?? conversation.fallbackModels)];
	tx.insert(messages)
		.values({
			id: args.assistantMessageId,
			conversationId: args.conversationId,
			userId,
			parentId: args.userMessageId,
			role: 'assistant',
			content: '',
			status: 'streaming',
			model: models[0] ?? null,
			generationId: args.id,
			createdAt: Math.max(args.createdAt, prompt.createdAt)
		})
		.run();
	tx.insert(generations)
		.values({
			id: args.id,
			userId,
			conversationId: args.conversationId,
			userMessageId: args.userMessageId,
			assistantMessageId: args.assistantMessageId,
			models,
			state: 'requested',
			createdAt: now
		})
		.run();
	tx.update(conversations).set({ activeLeafId: args.assistantMessageId, updatedAt: now }).where(eq(conversations.id, args.conversationId)).run();
	return {
		generationId: args.id,
		userId,
		conversationId: args.conversationId,
		assistantMessageId: args.assistantMessageId,
		models,
		history: historyFor(tx, args.conversationId, args.userMessageId, conversation.systemPrompt),
		temperature: conversation.temperature ?? undefined,
		maxTokens: conversation.maxTokens ?? undefined
	};
}

/** Checks the caller may stop that reply; the stop itself (`jobs.cancel`) runs once the transaction commits. */
export function checkCancel(tx: DbOrTx, jobs: GenerationJobs, userId: string, args: MutationArgs<'generation.cancel'>): void {
	const row = tx.select({ id: generations.id }).from(generations).where(and(eq(generations.id, args.id), eq(generations.userId, userId))).get();
	if (!row && !jobs.find(args.id, userId)) throw notFound('reply');
}
