import { createConversation, requireLive } from '../conversations/conversation-service';
import { createUserMessage } from '../conversations/message-service';
import { IMMEDIATE, type Db } from '../db/client';
import { notFound } from '../sync/mutation-rejected';
import type { LaunchJob } from './generation-jobs';
import { requestGeneration } from './generation-service';
import { timeOrderedId } from '../db/time-ordered-id';

export interface StartReply {
	userId: string;
	content: string;
	model: string;
	conversationId?: string;
	fallbackModels?: string[];
}

/**
 * `generation.start` for scripts: a conversation (new, or the caller's), the user's message under
 * its active leaf, and the reply — the same three services sync's mutations use, in one transaction.
 */
export function startReply(db: Db, input: StartReply): { conversationId: string; userMessageId: string; generationId: string; assistantMessageId: string; job: LaunchJob } {
	const now = Date.now();
	const conversationId = input.conversationId ?? timeOrderedId(now);
	const ids = { userMessageId: timeOrderedId(now), generationId: timeOrderedId(now), assistantMessageId: timeOrderedId(now) };
	return db.transaction((tx) => {
		if (input.conversationId) {
			if (!requireLive(tx, input.userId, conversationId)) throw notFound('conversation');
		} else {
			createConversation(tx, input.userId, { id: conversationId, model: input.model, title: '', systemPrompt: '', fallbackModels: [], createdAt: now }, now);
		}
		const parentId = requireLive(tx, input.userId, conversationId)?.activeLeafId ?? null;
		createUserMessage(tx, input.userId, { id: ids.userMessageId, conversationId, parentId, content: input.content, createdAt: now }, now);
		const job = requestGeneration(
			tx,
			input.userId,
			{ id: ids.generationId, conversationId, userMessageId: ids.userMessageId, assistantMessageId: ids.assistantMessageId, model: input.model, fallbackModels: input.fallbackModels, createdAt: now },
			now
		);
		if (!job) throw new Error('a fresh reply id cannot exist already');
		return { conversationId, ...ids, job };
	}, IMMEDIATE);
}
