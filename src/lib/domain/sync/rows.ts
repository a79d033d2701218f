import { z } from 'zod';
import { EpochMs } from '../epoch-ms';
import { GenerationState } from '../generation-state';
import { ModelId } from '../model-id';
import { CONVERSATION_TITLE_MAX, FALLBACK_MODELS_MAX, SYSTEM_PROMPT_MAX } from './limits';

/** Ids minted by clients (newId) or the server (randomUUID): opaque, bounded. */
export const RowId = z.string().min(1).max(64);
/** From the server's one global counter: every change to a synced row takes the next value. */
export const Version = z.int().nonnegative();

export { CONVERSATION_TITLE_MAX, SYSTEM_PROMPT_MAX, FALLBACK_MODELS_MAX } from './limits';

/** A conversation as it syncs. Fields are last-writer-wins in server order; `deletedAt` is a tombstone that wins. */
export const ConversationRow = z.object({
	id: RowId,
	/** Empty until the first message names it, or a person renames it. */
	title: z.string().max(CONVERSATION_TITLE_MAX),
	model: ModelId,
	systemPrompt: z.string().max(SYSTEM_PROMPT_MAX),
	fallbackModels: z.array(ModelId).max(FALLBACK_MODELS_MAX),
	/** null: the model's own default. */
	temperature: z.number().min(0).max(2).nullable(),
	maxTokens: z.int().positive().nullable(),
	pinned: z.boolean(),
	archived: z.boolean(),
	/** The leaf of the branch being shown: the conversation is a tree of messages (`parentId`). */
	activeLeafId: RowId.nullable(),
	createdAt: EpochMs,
	updatedAt: EpochMs,
	deletedAt: EpochMs.nullable(),
	version: Version
});
export type ConversationRow = z.infer<typeof ConversationRow>;

export const MessageRole = z.enum(['user', 'assistant', 'system']);
export type MessageRole = z.infer<typeof MessageRole>;
export const MessageStatus = z.enum(['complete', 'streaming', 'failed', 'cancelled']);
export type MessageStatus = z.infer<typeof MessageStatus>;

/**
 * A message as it syncs. Complete messages are immutable: an edit is a new sibling under the same
 * parent. An assistant message is versioned when it is created and when it ends, not per chunk:
 * its growing text reaches clients through `generation.attach`.
 */
export const MessageRow = z.object({
	id: RowId,
	conversationId: RowId,
	parentId: RowId.nullable(),
	role: MessageRole,
	content: z.string(),
	status: MessageStatus,
	model: ModelId.nullable(),
	generationId: RowId.nullable(),
	createdAt: EpochMs,
	deletedAt: EpochMs.nullable(),
	version: Version
});
export type MessageRow = z.infer<typeof MessageRow>;

export const CostSource = z.enum(['provider', 'generation-lookup', 'estimate']);
export type CostSource = z.infer<typeof CostSource>;

/** What a client shows of a reply's job: its state, the model that answered, tokens, cost, timings. */
export const GenerationRow = z.object({
	id: RowId,
	conversationId: RowId,
	userMessageId: RowId,
	assistantMessageId: RowId,
	/** Asked for, in order: the first, then its fallbacks. */
	models: z.array(ModelId),
	/** The model that answered (it sets the price). */
	model: ModelId.nullable(),
	state: GenerationState,
	failureReason: z.string().nullable(),
	tokensIn: z.int().nonnegative().nullable(),
	tokensOut: z.int().nonnegative().nullable(),
	/** Billed nano-USD (charge plus corrections), once settled. */
	costNanoUsd: z.int().nullable(),
	costSource: CostSource.nullable(),
	createdAt: EpochMs,
	startedAt: EpochMs.nullable(),
	firstTokenAt: EpochMs.nullable(),
	finishedAt: EpochMs.nullable(),
	version: Version
});
export type GenerationRow = z.infer<typeof GenerationRow>;

/** A mutation the server refused (validation or ownership); the client shows `reason` and drops its local effect. */
export const RejectionRow = z.object({
	clientId: RowId,
	mutationId: z.int().positive(),
	name: z.string(),
	reason: z.string(),
	createdAt: EpochMs,
	version: Version
});
export type RejectionRow = z.infer<typeof RejectionRow>;
