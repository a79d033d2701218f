import { z } from 'zod';
import { ModelId } from './model-id';

/** What a user sends to start a reply; the model defaults to the conversation's when absent. */
export const SendMessageInput = z.object({
	content: z.string().trim().min(1, 'Write a message first.').max(100_000, 'A message has at most 100,000 characters.'),
	model: ModelId.optional()
});
export type SendMessageInput = z.infer<typeof SendMessageInput>;
