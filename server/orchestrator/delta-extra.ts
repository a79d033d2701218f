import type { ChatCompletionChunk } from 'openai/resources/chat/completions';

type ToolCallDelta = ChatCompletionChunk.Choice.Delta.ToolCall;

/**
 * What a streamed chunk carried besides its text, as the provider sent it: tool call deltas,
 * refusal, reasoning (OpenRouter's `reasoning` and `reasoning_details`), any other delta field
 * with a value, and the choice's logprobs. /v1 forwards these; the app's replies read text only.
 */
export interface DeltaExtra {
	delta: { tool_calls?: ToolCallDelta[]; refusal?: string; reasoning?: string; [field: string]: unknown };
	logprobs?: ChatCompletionChunk.Choice.Logprobs;
}

/** Fields the orchestrator carries itself (text) or that say nothing new (role on every chunk). */
const NOT_EXTRA = new Set(['content', 'role']);

/**
 * The chunk's extras, or undefined when it carried only text: providers repeat empty fields on
 * every chunk (OpenRouter's `"reasoning": null, "reasoning_details": []`), which are not extras.
 */
export function deltaExtraOf(choice: ChatCompletionChunk.Choice): DeltaExtra | undefined {
	// Runs on every chunk of a /v1 stream: for-in allocates nothing for a chunk with only text.
	let delta: DeltaExtra['delta'] | undefined;
	const fields = choice.delta as Record<string, unknown> | undefined;
	for (const field in fields) {
		const value = fields[field];
		if (NOT_EXTRA.has(field) || isEmpty(value)) continue;
		delta ??= {};
		delta[field] = value;
	}
	const logprobs = choice.logprobs;
	const hasLogprobs = logprobs != null && (!isEmpty(logprobs.content) || !isEmpty(logprobs.refusal));
	if (!delta && !hasLogprobs) return undefined;
	return hasLogprobs ? { delta: delta ?? {}, logprobs } : { delta: delta ?? {} };
}

function isEmpty(value: unknown): boolean {
	return value === null || value === undefined || value === '' || (Array.isArray(value) && value.length === 0);
}

/**
 * Characters of output an extra stands for (tool call names and arguments, reasoning, refusal):
 * completion tokens too, for the estimate when the provider's bill cannot be had. Logprobs are
 * about tokens already counted, so they are not.
 */
export function extraOutputChars(extra: DeltaExtra): number {
	return JSON.stringify(extra.delta).length;
}
