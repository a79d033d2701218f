import type { ChatCompletionTokenLogprob } from 'openai/resources/chat/completions';
import type { DeltaExtra } from '../../orchestrator/delta-extra';
import type { AssembledMessage, AssembledToolCall } from './completion-shapes';

type ToolCallDelta = NonNullable<DeltaExtra['delta']['tool_calls']>[number];

/**
 * Builds a non-streamed reply from the streamed deltas the orchestrator yields (the upstream
 * call always streams): text joined, tool calls put together by their `index` (arguments
 * arrive in any number of pieces), refusal and reasoning joined, logprobs concatenated.
 * Any other delta field: strings joined, arrays concatenated, anything else the last one.
 */
export class ReplyAssembly {
	#text: string[] = [];
	#toolCalls = new Map<number, AssembledToolCall>();
	#fields = new Map<string, unknown>();
	#logprobs: { content: ChatCompletionTokenLogprob[]; refusal: ChatCompletionTokenLogprob[] } | null = null;

	add(text: string, extra?: DeltaExtra): void {
		if (text) this.#text.push(text);
		if (!extra) return;
		for (const [field, value] of Object.entries(extra.delta)) {
			if (field === 'tool_calls') for (const call of value as ToolCallDelta[]) this.#addToolCall(call);
			else this.#fields.set(field, merged(this.#fields.get(field), value));
		}
		if (extra.logprobs) {
			this.#logprobs ??= { content: [], refusal: [] };
			this.#logprobs.content.push(...(extra.logprobs.content ?? []));
			this.#logprobs.refusal.push(...(extra.logprobs.refusal ?? []));
		}
	}

	message(): AssembledMessage {
		const toolCalls = [...this.#toolCalls.entries()].sort(([a], [b]) => a - b).map(([, call]) => call);
		const text = this.#text.join('');
		const refusal = this.#fields.get('refusal');
		const others = Object.fromEntries([...this.#fields].filter(([field]) => field !== 'refusal'));
		const refused = typeof refusal === 'string';
		return {
			role: 'assistant',
			// OpenAI's shape: no text beside tool calls or a refusal is null, not "".
			content: text === '' && (toolCalls.length > 0 || refused) ? null : text,
			refusal: refused ? refusal : null,
			...others,
			...(toolCalls.length > 0 ? { tool_calls: toolCalls } : {})
		};
	}

	logprobs(): { content: ChatCompletionTokenLogprob[]; refusal: ChatCompletionTokenLogprob[] } | null {
		return this.#logprobs;
	}

	#addToolCall(delta: ToolCallDelta): void {
		let call = this.#toolCalls.get(delta.index);
		if (!call) {
			call = { id: '', type: 'function', function: { name: '', arguments: '' } };
			this.#toolCalls.set(delta.index, call);
		}
		if (delta.id) call.id = delta.id;
		// Providers send the name whole, some on every piece: it is set, never joined.
		if (delta.function?.name) call.function.name = delta.function.name;
		if (delta.function?.arguments) call.function.arguments += delta.function.arguments;
		const { index: _index, id: _id, type: _type, function: _function, ...rest } = delta;
		Object.assign(call, rest);
	}
}

function merged(previous: unknown, next: unknown): unknown {
	if (typeof previous === 'string' && typeof next === 'string') return previous + next;
	if (Array.isArray(previous) && Array.isArray(next)) return [...(previous as unknown[]), ...(next as unknown[])];
	return next;
}
