import OpenAI, { APIError } from 'openai';
import type { ChatCompletionChunk } from 'openai/resources/chat/completions';
import { CompletionChunks } from './completion-stream';
import { deltaExtraOf } from './delta-extra';
import { createStreamingFetch } from './streaming-fetch';
import type { UpstreamMessage, UpstreamParams } from './upstream-request';

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
	/** Streamed completions: `createStreamingFetch` with an unbounded pool, read by `CompletionChunks`. */
	streamFetch: typeof fetch;
	/** The completions URL and the headers of every completion request, built once. */
	completions: { url: URL; headers: Record<string, string> };
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
		streamFetch: createStreamingFetch(),
		completions: {
			url: new URL(`${config.baseURL.replace(/\/+$/, '')}/chat/completions`),
			headers: {
				authorization: `Bearer ${config.apiKey}`,
				'content-type': 'application/json',
				accept: 'text/event-stream',
				...options.defaultHeaders
			}
		}
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
	rest: CompletionChunks;
}

/**
 * Sends the request and reads until the first content (or the end, for an empty reply); for /v1
 * calls (with `params`) a tool call, refusal or reasoning counts as the first content too.
 * Keep-alive comments never reach here: `CompletionChunks` drops them, as it handles CRLF
 * framing and events split across reads. The errors are the SDK's, so that failures classify
 * the same whichever client made the call: an HTTP error status is the `APIError` subclass the
 * SDK would raise, a connection failure `TypeError('fetch failed')`. Aborting `signal` closes
 * the socket.
 */
export async function openStream(
	upstream: Upstream,
	request: { model: string; messages: UpstreamMessage[]; params?: UpstreamParams; maxTokens?: number; temperature?: number },
	signal: AbortSignal
): Promise<OpenedStream> {
	const body = JSON.stringify({
		...request.params,
		model: request.model,
		messages: request.messages,
		stream: true,
		stream_options: { include_usage: true },
		...(request.maxTokens !== undefined ? { max_tokens: request.maxTokens } : {}),
		...(request.temperature !== undefined ? { temperature: request.temperature } : {})
	});
	const response = await upstream.streamFetch(upstream.completions.url, { method: 'POST', headers: upstream.completions.headers, body, signal });
	if (!response.ok) {
		const text = await response.text().catch((error: unknown) => (error instanceof Error ? error.message : String(error)));
		const json = parseJson(text);
		throw APIError.generate(response.status, json, json ? undefined : text, response.headers);
	}
	const rest = new CompletionChunks((response.body as unknown as AsyncIterable<Uint8Array>)[Symbol.asyncIterator](), response.headers);
	const head: ChatCompletionChunk[] = [];
	for (;;) {
		const next = await rest.next();
		if (next.done) break;
		head.push(next.value);
		const choice = next.value.choices[0];
		if (choice?.delta?.content || choice?.finish_reason || (request.params && choice && deltaExtraOf(choice))) break;
	}
	if (signal.aborted) throw signal.reason ?? new DOMException('Aborted', 'AbortError');
	const first = head[0];
	return {
		upstreamId: response.headers.get('x-generation-id') ?? first?.id ?? '',
		model: first?.model || request.model,
		head,
		rest
	};
}

function parseJson(text: string): object | undefined {
	try {
		return JSON.parse(text) as object;
	} catch {
		return undefined;
	}
}
