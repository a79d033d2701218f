import OpenAI from 'openai';
import type { ChatCompletionChunk } from 'openai/resources/chat/completions';
import { createStreamingFetch } from './streaming-fetch';

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

export interface Upstream {
	config: UpstreamConfig;
	/**
	 * For plain JSON calls (catalog, generation lookups), on a small pool of its own: a thousand
	 * streams cut off at once each look their generation up, and a socket (and a fetch client
	 * object kept by the global fetch's pool) per lookup would outlive them all.
	 */
	client: OpenAI;
	/** The same client on `createStreamingFetch`, for streamed completions only. */
	streamClient: OpenAI;
}

/** Lookups are small and quick: a few sockets serve a thousand of them in well under a second. */
const LOOKUP_SOCKETS = 16;

export function createUpstream(config: UpstreamConfig): Upstream {
	const options = {
		baseURL: config.baseURL,
		apiKey: config.apiKey,
		// Retries belong to our own policies (cockatiel); the SDK must not retry behind them.
		maxRetries: 0,
		timeout: 10 * 60 * 1000,
		// The SDK would print malformed chunks to the console; we report them as failures instead.
		logLevel: 'off',
		defaultHeaders: { 'HTTP-Referer': config.referer, 'X-Title': 'Phosphor' }
	} as const;
	return {
		config,
		client: new OpenAI({ ...options, fetch: createStreamingFetch(LOOKUP_SOCKETS) }),
		streamClient: new OpenAI({ ...options, fetch: createStreamingFetch() })
	};
}

/** OpenRouter's usage carries `cost`, which OpenAI's types do not know about. */
export interface ProviderUsage {
	prompt_tokens?: number;
	completion_tokens?: number;
	cost?: number;
}

/** A stream whose first token has arrived; `rest` continues it. */
export interface OpenedStream {
	upstreamId: string;
	model: string;
	/** Chunks read while waiting for the first token, that chunk included. */
	head: ChatCompletionChunk[];
	rest: AsyncIterator<ChatCompletionChunk>;
}

/**
 * Sends the request and reads until the first content (or the end, for an empty reply).
 * Keep-alive comments never reach here: the SDK's SSE decoder drops them, as it handles CRLF
 * framing and events split across reads. Aborting `signal` closes the socket.
 */
export async function openStream(
	upstream: Upstream,
	request: { model: string; messages: ChatTurn[]; maxTokens?: number; temperature?: number },
	signal: AbortSignal
): Promise<OpenedStream> {
	const { data: stream, response } = await upstream.streamClient.chat.completions
		.create(
			{
				model: request.model,
				messages: request.messages,
				stream: true,
				stream_options: { include_usage: true },
				...(request.maxTokens !== undefined ? { max_tokens: request.maxTokens } : {}),
				...(request.temperature !== undefined ? { temperature: request.temperature } : {})
			},
			{ signal }
		)
		.withResponse();
	const rest = stream[Symbol.asyncIterator]();
	const head: ChatCompletionChunk[] = [];
	for (;;) {
		const next = await rest.next();
		if (next.done) break;
		head.push(next.value);
		const choice = next.value.choices[0];
		if (choice?.delta?.content || choice?.finish_reason) break;
	}
	// The SDK ends an aborted stream quietly; that must not look like an empty reply.
	if (signal.aborted) throw signal.reason ?? new DOMException('Aborted', 'AbortError');
	const first = head[0];
	return {
		upstreamId: response.headers.get('x-generation-id') ?? first?.id ?? '',
		model: first?.model || request.model,
		head,
		rest
	};
}
