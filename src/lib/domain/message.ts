import { z } from 'zod';
import { EpochMs } from './epoch-ms';
import { ConversationId, GenerationId, MessageId } from './ids';
import { ModelId } from './model-id';

export const MessageRole = z.enum(['user', 'assistant', 'system']);
export type MessageRole = z.infer<typeof MessageRole>;

export const MessageStatus = z.enum(['complete', 'streaming', 'failed', 'cancelled']);
export type MessageStatus = z.infer<typeof MessageStatus>;

export const MESSAGE_CONTENT_MAX = 1_000_000;

export const Message = z.object({
	id: MessageId,
	conversationId: ConversationId,
	/** null for a root; an edit is a new sibling under the same parent, never a rewrite. */
	parentId: MessageId.nullable(),
	role: MessageRole,
	content: z.string().max(MESSAGE_CONTENT_MAX),
	status: MessageStatus,
	model: ModelId.nullable(),
	generationId: GenerationId.nullable(),
	createdAt: EpochMs
});
export type Message = z.infer<typeof Message>;
