import type { ServerResponse } from 'node:http';
import { OrchestratorError } from '../../orchestrator/orchestrator-error';
import type { OrchestratorEvent } from '../../orchestrator/orchestrator-types';
import { completionId, usageOf, type ChatCompletionChunkBody } from './completion-shapes';
import { fromOrchestratorError, OpenAiApiError } from './errors';

export interface StreamOptions {
	created: number;
	includeUsage: boolean;
	/** Used only if a delta came before 'start', which the orchestrator never does. */
	requestedModel: string;
}

/**
 * `stream: true`, framed as OpenAI does: a first chunk with the role, one chunk per delta, a
 * chunk with finish_reason, optionally a usage chunk with no choices, then `data: [DONE]`.
 *
 * Headers go out with the first event, not before: a failure before the first token (after the
 * orchestrator's retries and fallbacks) still gets its real HTTP status and a JSON error. A
 * failure after it can only be an in-band `data: {"error": …}` event, and the stream ends
 * without [DONE] so no client mistakes the partial reply for a whole one.
 */
export async function streamCompletion(res: ServerResponse, events: AsyncIterable<OrchestratorEvent>, options: StreamOptions): Promise<void> {
	let id = '';
	let model = options.requestedModel;
	const chunk = (delta: ChatCompletionChunkBody['choices'][number]['delta'], finishReason: string | null = null): ChatCompletionChunkBody => ({
		id,
		object: 'chat.completion.chunk',
		created: options.created,
		model,
		choices: [{ index: 0, delta, logprobs: null, finish_reason: finishReason }]
	});
	const begin = (upstreamId: string, answering: string) => {
		id = completionId(upstreamId);
		model = answering;
		res.writeHead(200, {
			'Content-Type': 'text/event-stream; charset=utf-8',
			'Cache-Control': 'no-store',
			Connection: 'keep-alive',
			// Reverse proxies (nginx) must pass each event on as it comes, not buffer the reply.
			'X-Accel-Buffering': 'no'
		});
		return send(res, chunk({ role: 'assistant', content: '' }));
	};

	try {
		for await (const event of events) {
			if (event.type === 'start') {
				await begin(event.upstreamId, event.model);
			} else if (event.type === 'delta') {
				if (!res.headersSent) await begin('', model);
				await send(res, chunk({ content: event.text }));
			} else {
				if (!res.headersSent) await begin(event.upstreamId, event.model);
				model = event.model;
				await send(res, chunk({}, event.finishReason));
				if (options.includeUsage) await send(res, { ...chunk({}), choices: [], usage: usageOf(event) });
			}
		}
	} catch (error) {
		// After the 200, the error can only travel in-band; the caller still logs it.
		if (res.headersSent && !res.destroyed) {
			const apiError = error instanceof OrchestratorError ? fromOrchestratorError(error) : internalStreamError();
			res.end(frame(apiError.body));
		}
		throw error;
	}
	res.end('data: [DONE]\n\n');
}

const internalStreamError = () => new OpenAiApiError(500, 'server_error', 'The server failed while streaming the reply.', 'internal_error');

function frame(payload: unknown): string {
	return `data: ${JSON.stringify(payload)}\n\n`;
}

/** Writes one event; when the socket's buffer is full, waits until it drains or closes. */
function send(res: ServerResponse, payload: unknown): Promise<void> | undefined {
	if (res.destroyed || res.write(frame(payload))) return undefined;
	return new Promise<void>((resolve) => {
		const done = () => {
			res.off('drain', done);
			res.off('close', done);
			resolve();
		};
		res.on('drain', done);
		res.on('close', done);
	});
}
