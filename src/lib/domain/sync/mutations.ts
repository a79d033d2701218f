import { z } from 'zod';
import { EpochMs } from '../epoch-ms';
import { ModelId } from '../model-id';
import { CONVERSATION_TITLE_MAX, FALLBACK_MODELS_MAX, IMPORT_BATCH_MAX, IMPORTED_CONTENT_MAX, MESSAGE_CONTENT_MAX, SYSTEM_PROMPT_MAX } from './limits';
import { RowId } from './rows';

export { MESSAGE_CONTENT_MAX, IMPORTED_CONTENT_MAX, IMPORT_BATCH_MAX } from './limits';

const Title = z.string().trim().min(1, 'A title cannot be empty.').max(CONVERSATION_TITLE_MAX, `A title has at most ${CONVERSATION_TITLE_MAX} characters.`);
const Ref = { id: RowId };

/**
 * Every mutation a client can push, by name, with its arguments. The server validates each one
 * on its own: a mutation that fails is recorded as rejected and the rest still apply.
 */
export const MUTATION_ARGS = {
	'conversation.create': z.object({
		...Ref,
		model: ModelId,
		title: z.string().trim().max(CONVERSATION_TITLE_MAX).default(''),
		systemPrompt: z.string().max(SYSTEM_PROMPT_MAX).default(''),
		fallbackModels: z.array(ModelId).max(FALLBACK_MODELS_MAX).default([]),
		createdAt: EpochMs
	}),
	'conversation.rename': z.object({ ...Ref, title: Title }),
	'conversation.pin': z.object({ ...Ref, pinned: z.boolean() }),
	'conversation.archive': z.object({ ...Ref, archived: z.boolean() }),
	'conversation.delete': z.object(Ref),
	'conversation.setModel': z.object({ ...Ref, model: ModelId }),
	'conversation.setSystemPrompt': z.object({ ...Ref, systemPrompt: z.string().max(SYSTEM_PROMPT_MAX) }),
	'conversation.setFallbackModels': z.object({ ...Ref, models: z.array(ModelId).max(FALLBACK_MODELS_MAX) }),
	/** Each field is its own last-writer-wins value: leave one out to keep it; null means the model's default. */
	'conversation.setParameters': z.object({
		...Ref,
		temperature: z.number().min(0).max(2).nullable().optional(),
		maxTokens: z.int().min(1).max(1_000_000).nullable().optional()
	}),
	'conversation.setActiveLeaf': z.object({ ...Ref, leafId: RowId }),
	/** A user message under `parentId` (null: a first message). An edit is a new sibling. */
	'message.create': z.object({
		...Ref,
		conversationId: RowId,
		parentId: RowId.nullable(),
		// Not trimmed: leading indentation (code) is part of the message; only a blank one is refused.
		content: z
			.string()
			.max(MESSAGE_CONTENT_MAX, 'A message has at most 100,000 characters.')
			.refine((text) => text.trim() !== '', 'Write a message first.'),
		createdAt: EpochMs
	}),
	'message.delete': z.object(Ref),
	/**
	 * A reply to `userMessageId`, written into `assistantMessageId`. The id is the client's: a request
	 * pushed twice, or by two devices, runs once. The model defaults to the conversation's.
	 */
	'generation.request': z.object({
		...Ref,
		conversationId: RowId,
		userMessageId: RowId,
		assistantMessageId: RowId,
		model: ModelId.optional(),
		fallbackModels: z.array(ModelId).max(FALLBACK_MODELS_MAX).optional(),
		createdAt: EpochMs
	}),
	'generation.cancel': z.object(Ref),
	/**
	 * An imported conversation (a Phosphor export, a ChatGPT export), created only if its id is new:
	 * importing the same file twice creates nothing twice. Its messages follow in message.import.
	 */
	'conversation.import': z.object({
		...Ref,
		title: z.string().trim().max(CONVERSATION_TITLE_MAX).default(''),
		model: ModelId,
		systemPrompt: z.string().max(SYSTEM_PROMPT_MAX).default(''),
		createdAt: EpochMs,
		updatedAt: EpochMs
	}),
	/**
	 * Finished messages of an imported conversation, any role, parents first (a parent is either
	 * already stored or earlier in the list). Messages whose id exists are skipped.
	 */
	'message.import': z.object({
		conversationId: RowId,
		messages: z
			.array(
				z.object({
					id: RowId,
					parentId: RowId.nullable(),
					role: z.enum(['user', 'assistant', 'system']),
					content: z.string().max(IMPORTED_CONTENT_MAX),
					model: ModelId.nullable().default(null),
					createdAt: EpochMs
				})
			)
			.min(1)
			.max(IMPORT_BATCH_MAX)
	})
} as const;

export type MutationName = keyof typeof MUTATION_ARGS;
export const MUTATION_NAMES = Object.keys(MUTATION_ARGS) as MutationName[];
export type MutationArgs<N extends MutationName> = z.infer<(typeof MUTATION_ARGS)[N]>;
/** Arguments as a client writes them (defaults not yet applied). */
export type MutationInput<N extends MutationName> = z.input<(typeof MUTATION_ARGS)[N]>;

export function isMutationName(name: string): name is MutationName {
	return Object.hasOwn(MUTATION_ARGS, name);
}

/** A mutation as queued in a client's outbox and pushed: ids increase by one per client. */
export type Mutation = { [N in MutationName]: { id: number; name: N; args: MutationArgs<N> } }[MutationName];
