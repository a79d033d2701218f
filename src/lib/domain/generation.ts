import { z } from 'zod';
import { EpochMs } from './epoch-ms';
import { GenerationState } from './generation-state';
import { ConversationId, GenerationId, MessageId, UserId } from './ids';
import { ModelId } from './model-id';
import { NanoUsdSchema } from './money-schema';

const TokenCount = z.int().nonnegative();

/** A server-side job that produces one assistant message (DESIGN §3). */
export const Generation = z.object({
	id: GenerationId,
	conversationId: ConversationId,
	userId: UserId,
	userMessageId: MessageId,
	assistantMessageId: MessageId,
	/** The model that answered, which may be a fallback rather than the one requested. */
	model: ModelId,
	state: GenerationState,
	/** Something a person can act on: budget exceeded, model unavailable, upstream text, timeout. */
	failureReason: z.string().nullable(),
	upstreamId: z.string().nullable(),
	tokensIn: TokenCount.nullable(),
	tokensOut: TokenCount.nullable(),
	costNanoUsd: NanoUsdSchema.nullable(),
	createdAt: EpochMs,
	finishedAt: EpochMs.nullable()
});
export type Generation = z.infer<typeof Generation>;
