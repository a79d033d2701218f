import { z } from 'zod';
import { EpochMs } from './epoch-ms';
import { ConversationId, MessageId, UserId } from './ids';
import { ModelId } from './model-id';

export const Conversation = z.object({
	id: ConversationId,
	userId: UserId,
	title: z.string().max(200),
	model: ModelId,
	/** The leaf of the branch being shown; the conversation is a tree of messages (DESIGN §5). */
	activeLeafId: MessageId.nullable(),
	createdAt: EpochMs,
	updatedAt: EpochMs,
	/** A tombstone: deleted conversations still sync so every device learns of the delete. */
	deletedAt: EpochMs.nullable()
});
export type Conversation = z.infer<typeof Conversation>;
