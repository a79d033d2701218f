import { randomBytes } from 'node:crypto';
import type { ChatCompletionTokenLogprob } from 'openai/resources/chat/completions';
import type { DeltaExtra } from '../../orchestrator/delta-extra';
import type { OrchestratorEvent } from '../../orchestrator/orchestrator-types';

type Finish = Extract<OrchestratorEvent, { type: 'finish' }>;

/** OpenAI's usage, plus OpenRouter's `cost` (USD) when the provider reported one. */
export interface CompletionUsage {
	prompt_tokens: number;
	completion_tokens: number;
	total_tokens: number;
	cost?: number;
}

export interface ChatCompletionBody {
	id: string;
	object: 'chat.completion';
	created: number;
	model: string;
	choices: Array<{
		index: 0;
		message: AssembledMessage;
		logprobs: { content: ChatCompletionTokenLogprob[]; refusal: ChatCompletionTokenLogprob[] } | null;
		finish_reason: string;
	}>;
	usage: CompletionUsage;
}

export interface AssembledToolCall {
	id: string;
	type: 'function';
	function: { name: string; arguments: string };
	[field: string]: unknown;
}

/** A non-streamed reply's message: `content` is null when the reply is only tool calls. */
export interface AssembledMessage {
	role: 'assistant';
	content: string | null;
	refusal: string | null;
	tool_calls?: AssembledToolCall[];
	/** Other fields the provider sent (OpenRouter's `reasoning`, `reasoning_details`, …). */
	[field: string]: unknown;
}

export interface ChatCompletionChunkBody {
	id: string;
	object: 'chat.completion.chunk';
	created: number;
	model: string;
	choices: Array<{
		index: 0;
		delta: { role?: 'assistant'; content?: string } & Partial<DeltaExtra['delta']>;
		logprobs: DeltaExtra['logprobs'] | null;
		finish_reason: string | null;
	}>;
	usage?: CompletionUsage;
}

/** The provider's id (OpenRouter's `gen-…`) when there is one, so callers can look the generation up. */
export function completionId(upstreamId: string): string {
	return upstreamId || `chatcmpl-${randomBytes(18).toString('base64url')}`;
}

/** Unknown counts are reported as 0: the SDKs type them as numbers, never null. */
export function usageOf(finish: Finish): CompletionUsage {
	const prompt = finish.promptTokens ?? 0;
	const completion = finish.completionTokens ?? 0;
	return {
		prompt_tokens: prompt,
		completion_tokens: completion,
		total_tokens: prompt + completion,
		...(finish.costUsd === null ? {} : { cost: finish.costUsd })
	};
}

export function unixSeconds(ms = Date.now()): number {
	return Math.floor(ms / 1000);
}
