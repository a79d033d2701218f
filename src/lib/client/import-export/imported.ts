import type { MessageRole } from '../../domain/sync';

/**
 * A conversation read from an import file, before ids are derived: what a source's rules made of
 * it. The planner takes it from here (ids, order, batches, mutations) whatever the source.
 */
export interface ImportedConversation {
	/** The id in the file (unique in its source). */
	sourceId: string;
	title: string;
	model: string;
	systemPrompt: string;
	fallbackModels: string[];
	temperature: number | null;
	maxTokens: number | null;
	pinned: boolean;
	archived: boolean;
	createdAt: number;
	updatedAt: number;
	/** The source id of the message that ends the shown branch; null: the newest branch. */
	activeLeafSourceId: string | null;
	messages: ImportedMessage[];
}

export interface ImportedMessage {
	/** The id in the file, unique within its conversation. */
	sourceId: string;
	/** Another message of this conversation, or null for a first message. */
	parentSourceId: string | null;
	role: MessageRole;
	content: string;
	model: string | null;
	createdAt: number;
}

/** What was changed or left out on the way in, counted over a whole import for the summary. */
export interface ImportTally {
	/** Images (and other attachments) replaced by a note. */
	images: number;
	/** Tool calls and results, reasoning and memory steps that were left out. */
	leftOut: number;
	/** Messages cut to IMPORTED_CONTENT_MAX characters. */
	truncated: number;
	/** Messages whose earlier message is not in the file: they start a new branch. */
	orphans: number;
	/** Messages in a loop of parents: left out. */
	cycles: number;
	/** A second message with an id already seen in its conversation: left out. */
	duplicates: number;
	/** Entries of the file that are not conversations. */
	invalidEntries: number;
}

export function emptyTally(): ImportTally {
	return { images: 0, leftOut: 0, truncated: 0, orphans: 0, cycles: 0, duplicates: 0, invalidEntries: 0 };
}
