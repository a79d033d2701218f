import type { GenerationRow } from '../domain/sync';
import type { BranchStep } from '../client/store/branch';
import type { MessageView } from '../client/store/pending';

export type TurnState = 'queued' | 'streaming' | 'done' | 'failed' | 'cancelled';

/** One message of the shown branch, with what the transcript needs to draw it. */
export interface Turn {
	step: BranchStep<MessageView>;
	message: MessageView;
	state: TurnState;
	/** The text to show: the live stream while a reply is being written. */
	text: string;
	/** The model that answered (or was asked). */
	model: string | null;
	generation: GenerationRow | undefined;
	reason: string | null;
}
