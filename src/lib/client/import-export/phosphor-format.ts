import { z } from 'zod';
import { EpochMs } from '../../domain/epoch-ms';
import { ModelId } from '../../domain/model-id';
import { FALLBACK_MODELS_MAX, MessageRole, MessageStatus, RowId, SYSTEM_PROMPT_MAX } from '../../domain/sync';

export const PHOSPHOR_EXPORT_FORMAT = 'phosphor-export';
export const PHOSPHOR_EXPORT_VERSION = 1;

/**
 * One message of an exported conversation. Reading is lenient where a hand-edited or older file
 * may leave a field out (defaults); ids, roles and times must be right.
 */
export const PhosphorExportMessage = z.object({
	id: RowId,
	parentId: RowId.nullable(),
	role: MessageRole,
	content: z.string(),
	status: MessageStatus.default('complete'),
	model: ModelId.nullable().default(null),
	createdAt: EpochMs
});
export type PhosphorExportMessage = z.infer<typeof PhosphorExportMessage>;

export const PhosphorExportConversation = z.object({
	id: RowId,
	/** Not bounded here: an import cuts a long title to CONVERSATION_TITLE_MAX. */
	title: z.string().default(''),
	model: ModelId,
	systemPrompt: z.string().max(SYSTEM_PROMPT_MAX).default(''),
	fallbackModels: z.array(ModelId).max(FALLBACK_MODELS_MAX).default([]),
	temperature: z.number().min(0).max(2).nullable().default(null),
	maxTokens: z.int().min(1).max(1_000_000).nullable().default(null),
	pinned: z.boolean().default(false),
	archived: z.boolean().default(false),
	createdAt: EpochMs,
	updatedAt: EpochMs,
	/** The leaf of the branch that was shown. */
	activeLeafId: RowId.nullable().default(null),
	/** The whole tree, every branch, oldest first. */
	messages: z.array(PhosphorExportMessage).default([])
});
export type PhosphorExportConversation = z.infer<typeof PhosphorExportConversation>;

/** A Phosphor export file (JSON): every live conversation of one account, with all its messages. */
export const PhosphorExport = z.object({
	format: z.literal(PHOSPHOR_EXPORT_FORMAT),
	version: z.literal(PHOSPHOR_EXPORT_VERSION),
	exportedAt: EpochMs,
	conversations: z.array(PhosphorExportConversation)
});
export type PhosphorExport = z.infer<typeof PhosphorExport>;
