import OpenAI from 'openai';

export interface UpstreamConfig {
	baseURL: string;
	apiKey: string;
	/** Where our attribution headers point (OpenRouter shows it on its dashboards). */
	referer: string;
	/** Used when a request names no model. */
	defaultModel: string;
	/** True when talking to the built-in simulator. */
	simulated: boolean;
}

export interface ChatTurn {
	role: 'user' | 'assistant' | 'system';
	content: string;
}

export type StreamEvent =
	| { type: 'delta'; text: string }
	| {
			type: 'usage';
			model: string;
			generationId: string;
			promptTokens: number;
			completionTokens: number;
			/** USD as the provider reported it; converted to nano-USD by the ledger. */
			cost: number | null;
	  };

export interface Upstream {
	config: UpstreamConfig;
	client: OpenAI;
	streamChat(input: { model: string; messages: ChatTurn[]; signal: AbortSignal }): AsyncGenerator<StreamEvent>;
}

/** OpenRouter's usage carries `cost`, which OpenAI's types do not know about. */
interface OpenRouterUsage {
	prompt_tokens?: number;
	completion_tokens?: number;
	cost?: number;
}

export function createUpstream(config: UpstreamConfig): Upstream {
	const client = new OpenAI({
		baseURL: config.baseURL,
		apiKey: config.apiKey,
		// Retries belong to our own policies (cockatiel); the SDK must not retry behind them.
		maxRetries: 0,
		timeout: 10 * 60 * 1000,
		defaultHeaders: { 'HTTP-Referer': config.referer, 'X-Title': 'Phosphor' }
	});
	return {
		config,
		client,
		async *streamChat({ model, messages, signal }) {
			const stream = await client.chat.completions.create(
				{ model, messages, stream: true, stream_options: { include_usage: true } },
				{ signal }
			);
			let generationId = '';
			let answeredBy = model;
			for await (const chunk of stream) {
				generationId ||= chunk.id;
				answeredBy = chunk.model || answeredBy;
				const text = chunk.choices[0]?.delta?.content;
				if (text) yield { type: 'delta', text };
				const usage = chunk.usage as OpenRouterUsage | null | undefined;
				if (usage) {
					yield {
						type: 'usage',
						model: answeredBy,
						generationId,
						promptTokens: usage.prompt_tokens ?? 0,
						completionTokens: usage.completion_tokens ?? 0,
						cost: typeof usage.cost === 'number' ? usage.cost : null
					};
				}
			}
		}
	};
}
