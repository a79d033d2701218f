import type { Usage } from './usage';

export const PROVIDER_NAME = 'Simulator';

export type FinishReason = 'stop' | 'length' | 'tool_calls' | 'error';

/** Builds the `chat.completion.chunk` payloads of one stream; every chunk shares id, model and created. */
export class ChunkEncoder {
	readonly #prefix: string;
	readonly #base: { id: string; provider: string; model: string; object: 'chat.completion.chunk'; created: number };

	constructor(id: string, model: string, created: number) {
		this.#base = { id, provider: PROVIDER_NAME, model, object: 'chat.completion.chunk', created };
		// Content chunks are the hot path of the throughput bench: only the text is serialised per chunk.
		this.#prefix = `${JSON.stringify(this.#base).slice(0, -1)},"choices":[{"index":0,"delta":{"role":"assistant","content":`;
	}

	content(text: string): string {
		return `${this.#prefix}${JSON.stringify(text)}},"finish_reason":null,"native_finish_reason":null,"logprobs":null}]}`;
	}

	/** A chunk with more than content (reasoning, refusal, logprobs): serialised whole. */
	delta(fields: Record<string, unknown>, logprobs: object | null = null): string {
		return JSON.stringify({
			...this.#base,
			choices: [{ index: 0, delta: { role: 'assistant', ...fields }, finish_reason: null, native_finish_reason: null, logprobs }]
		});
	}

	/** One piece of a tool call, as OpenAI streams them: the first names it, the rest add to its arguments. */
	toolCall(piece: { index: number; id?: string; type?: 'function'; function: { name?: string; arguments: string } }): string {
		return JSON.stringify({
			...this.#base,
			choices: [{ index: 0, delta: { role: 'assistant', content: null, tool_calls: [piece] }, finish_reason: null, native_finish_reason: null, logprobs: null }]
		});
	}

	finish(reason: FinishReason): string {
		return JSON.stringify({ ...this.#base, choices: [this.#finalChoice(reason)] });
	}

	/** OpenRouter repeats finish_reason in the usage chunk, which is the last data event before [DONE]. */
	usage(reason: FinishReason, usage: Usage): string {
		return JSON.stringify({ ...this.#base, choices: [this.#finalChoice(reason)], usage });
	}

	/** How OpenRouter reports a failure after HTTP 200: top-level error and finish_reason "error". */
	error(code: number, message: string): string {
		return JSON.stringify({
			...this.#base,
			error: { code, message, metadata: { provider_name: PROVIDER_NAME } },
			choices: [this.#finalChoice('error')]
		});
	}

	/** A chunk cut off mid-JSON, for the malformed fault. */
	malformed(): string {
		return `${this.#prefix}"unterminated`;
	}

	#finalChoice(reason: FinishReason): object {
		return {
			index: 0,
			delta: { role: 'assistant', content: '' },
			finish_reason: reason,
			native_finish_reason: reason,
			logprobs: null
		};
	}
}
