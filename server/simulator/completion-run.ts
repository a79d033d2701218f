import type { ServerResponse } from 'node:http';
import type { FinishReason } from './chunks';
import type { SimulatorContext } from './context';
import { billTokens, type Billed } from './cost';
import type { Directives } from './directives';
import type { SimModel } from './models';
import type { SimToolCall } from './planned-reply';
import type { ReplyExtras } from './reply-extras';
import type { GenerationRecord } from './stats';
import { tokensForLength } from './tokens';

/** Everything one chat completion needs once its faults are decided and its reply is known. */
export interface CompletionRun {
	readonly ctx: SimulatorContext;
	readonly res: ServerResponse;
	readonly signal: AbortSignal;
	readonly id: string;
	readonly model: SimModel;
	readonly created: number;
	/** The full reply (already cut by max_tokens); '' when the reply is tool calls. */
	readonly text: string;
	readonly toolCalls: readonly SimToolCall[];
	readonly extras: ReplyExtras;
	readonly finishReason: 'stop' | 'length' | 'tool_calls';
	readonly promptTokens: number;
	readonly directives: Directives;
	readonly record: GenerationRecord;
	/** Content (and tool call) characters written so far: what an aborted or failed stream is billed for. */
	sentChars: number;
	/** The simulator itself is cutting the connection (reset fault): not a client abort. */
	selfEnded: boolean;
}

export interface Settlement {
	completionTokens: number;
	billed: Billed;
}

/** Bills prompt tokens plus the completion tokens actually sent, like OpenRouter does for aborts too. */
export function settle(
	run: CompletionRun,
	status: 'completed' | 'aborted' | 'failed',
	finishReason: FinishReason | null
): Settlement {
	const completionTokens = tokensForLength(run.sentChars);
	const billed = billTokens(run.model.pricing, run.promptTokens, completionTokens);
	run.ctx.stats.finishGeneration(run.record, status, finishReason, run.sentChars, completionTokens, billed);
	return { completionTokens, billed };
}
