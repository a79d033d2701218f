import type { ServerResponse } from 'node:http';
import type { DeltaExtra } from '../../orchestrator/delta-extra';
import type { EventStream } from '../../orchestrator/event-stream';
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
export async function streamCompletion(res: ServerResponse, events: EventStream<OrchestratorEvent>, options: StreamOptions): Promise<void> {
	const out = new SseReply(res, options);
	try {
		for (;;) {
			if (out.blocked) await out.drained();
			// What is there already is taken in one go; only an empty stream is waited on.
			let event = events.takeNow();
			if (event === undefined) {
				const next = await events.next();
				if (next.done) break;
				event = next.value;
			}
			if (event.type === 'start') out.begin(event.upstreamId, event.model);
			else if (event.type === 'finish') out.finish(event);
			else if (event.extra) out.extraDelta(event.text, event.extra);
			else out.delta(event.text);
		}
	} catch (error) {
		// Stopped reading (the client went away, a write failed): the stream's observers hear of it.
		void events.return();
		// After the 200, the error can only travel in-band; the caller still logs it.
		if (res.headersSent && !res.destroyed) {
			const apiError = error instanceof OrchestratorError ? fromOrchestratorError(error) : internalStreamError();
			out.end(frame(apiError.body));
		}
		throw error;
	}
	out.end('data: [DONE]\n\n');
}

const DELTA_TAIL = '},"logprobs":null,"finish_reason":null}]}\n\n';

const internalStreamError = () => new OpenAiApiError(500, 'server_error', 'The server failed while streaming the reply.', 'internal_error');

function frame(payload: unknown): string {
	return `data: ${JSON.stringify(payload)}\n\n`;
}

/**
 * One streamed reply: its chunks' shared fields and its writes.
 *
 * Events produced in the same turn of the event loop (all those of one upstream read) go out
 * in one write, flushed on the next tick: one HTTP chunk and one socket write for all of them,
 * and a lone event leaves just as soon as it would alone. The first token is the exception: it
 * leaves at once (with the headers and role chunk before it), not after the rest of its read has
 * been parsed, since time to first token is what a person waits on. When the socket's buffer is
 * full the producer waits for it to drain (or close) before adding more.
 */
class SseReply {
	#id = '';
	#model: string;
	/** A delta chunk is the same JSON every time but for its text: only the text is serialized per chunk. */
	#deltaHead = '';
	/** Whether the first token (or an empty reply's end) has gone out: that one is not batched. */
	#answered = false;
	#pending = '';
	#scheduled = false;

	constructor(
		readonly res: ServerResponse,
		private readonly options: StreamOptions
	) {
		this.#model = options.requestedModel;
	}

	get blocked(): boolean {
		return this.res.writableNeedDrain && !this.res.destroyed;
	}

	begin(upstreamId: string, answering: string): void {
		this.#id = completionId(upstreamId);
		this.#model = answering;
		// The bytes of JSON.stringify(this.#chunk({ content })) up to the text (chat-completion-sse.test.ts).
		this.#deltaHead = `data: {"id":${JSON.stringify(this.#id)},"object":"chat.completion.chunk","created":${JSON.stringify(this.options.created)},"model":${JSON.stringify(answering)},"choices":[{"index":0,"delta":{"content":`;
		this.res.writeHead(200, {
			'Content-Type': 'text/event-stream; charset=utf-8',
			'Cache-Control': 'no-store',
			// No Connection header: Node sets it from the request. Forcing keep-alive here would keep
			// the socket open after the stream even when the client asked for `Connection: close`.
			// Reverse proxies (nginx) must pass each event on as it comes, not buffer the reply.
			'X-Accel-Buffering': 'no'
		});
		this.#add(frame(this.#chunk({ role: 'assistant', content: '' })));
	}

	delta(text: string): void {
		if (!this.res.headersSent) this.begin('', this.#model);
		this.#add(`${this.#deltaHead}${JSON.stringify(text)}${DELTA_TAIL}`, !this.#answered);
		this.#answered = true;
	}

	/** A chunk with more than text (a tool call's piece, reasoning, logprobs): serialized whole, fields as the provider sent them. */
	extraDelta(text: string, extra: DeltaExtra): void {
		if (!this.res.headersSent) this.begin('', this.#model);
		const chunk = this.#chunk(text ? { content: text, ...extra.delta } : extra.delta, null, extra.logprobs);
		this.#add(frame(chunk), !this.#answered);
		this.#answered = true;
	}

	finish(event: Extract<OrchestratorEvent, { type: 'finish' }>): void {
		if (!this.res.headersSent) this.begin(event.upstreamId, event.model);
		this.#model = event.model;
		this.#add(frame(this.#chunk({}, event.finishReason)), !this.#answered);
		this.#answered = true;
		if (this.options.includeUsage) this.#add(frame({ ...this.#chunk({}), choices: [], usage: usageOf(event) }));
	}

	/** Ends the response with whatever is pending and `last`; a flush still scheduled finds nothing. */
	end(last: string): void {
		const text = this.#pending + last;
		this.#pending = '';
		this.res.end(text);
	}

	drained(): Promise<void> {
		const res = this.res;
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

	flush(): void {
		this.#scheduled = false;
		const text = this.#pending;
		this.#pending = '';
		// After end() (which took the pending text along) nothing is left to write.
		if (text && !this.res.writableEnded && !this.res.destroyed) this.res.write(text);
	}

	#chunk(
		delta: ChatCompletionChunkBody['choices'][number]['delta'],
		finishReason: string | null = null,
		logprobs: DeltaExtra['logprobs'] | null = null
	): ChatCompletionChunkBody {
		return {
			id: this.#id,
			object: 'chat.completion.chunk',
			created: this.options.created,
			model: this.#model,
			choices: [{ index: 0, delta, logprobs: logprobs ?? null, finish_reason: finishReason }]
		};
	}

	#add(text: string, now = false): void {
		this.#pending += text;
		if (now) {
			this.flush();
			// Node corks a response's socket until the next tick on every write; this write is not to wait.
			this.res.socket?.uncork();
			return;
		}
		if (!this.#scheduled) {
			this.#scheduled = true;
			process.nextTick(flushReply, this);
		}
	}
}

function flushReply(reply: SseReply): void {
	reply.flush();
}
