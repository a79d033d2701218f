import { StringDecoder } from 'node:string_decoder';
import { APIError } from 'openai';
import type { ChatCompletionChunk } from 'openai/resources/chat/completions';
import { ChunkTemplate } from './chunk-template';

/**
 * A streamed completion's chunks, decoded from the response body as it arrives: SSE framing
 * (LF or CRLF, events split across reads), keep-alive comments skipped, `data: [DONE]` ending
 * it, and an error sent after HTTP 200 (`data: {"error": …}`) thrown as the SDK throws it, an
 * `APIError` without a status. It does what the SDK's `Stream` does for this one endpoint with
 * one object per stream instead of a chain of suspended generators, and without the SDK's
 * request building (docs/architecture.md#the-hot-path).
 *
 * The body ends the stream; after `[DONE]` the rest is read and ignored, so that the connection
 * goes back to its pool instead of being cut.
 */
export class CompletionChunks implements AsyncIterator<ChatCompletionChunk, undefined> {
	#text = '';
	readonly #decoder = new StringDecoder('utf8');
	#bodyDone = false;
	#sawDone = false;
	/** Text-only chunks read without a parse (chunk-template.ts), once one has been parsed. */
	#template: ChunkTemplate | null = null;
	/** Learning a template costs a parse; a stream whose chunks never fit one stops trying. */
	#learnsLeft = 8;

	constructor(
		private readonly body: AsyncIterator<Uint8Array>,
		private readonly headers: Headers
	) {}

	async next(): Promise<IteratorResult<ChatCompletionChunk, undefined>> {
		for (;;) {
			const chunk = this.#takeEvent();
			if (chunk) return { value: chunk, done: false };
			if (this.#bodyDone) return DONE;
			const piece = await this.body.next();
			if (piece.done) {
				// An event the body ended without a blank line after: the SDK's decoder yields it too.
				this.#text += `${this.#decoder.end()}\n\n`;
				this.#bodyDone = true;
			} else {
				this.#text += this.#decoder.write(piece.value as Buffer);
			}
		}
	}

	/**
	 * The next chunk of what has been read already, or null when the next one needs another read:
	 * the chunks of one read are taken in one go, without a wait (and a promise) for each.
	 */
	takeBuffered(): ChatCompletionChunk | null {
		return this.#takeEvent();
	}

	/** The consumer stopped early: the body is not wanted any more (it closes its connection). */
	async return(): Promise<IteratorResult<ChatCompletionChunk, undefined>> {
		this.#bodyDone = true;
		this.#text = '';
		await this.body.return?.();
		return DONE;
	}

	/** The next chunk in the text read so far, or null when no whole event with data is there. */
	#takeEvent(): ChatCompletionChunk | null {
		for (;;) {
			const text = this.#text;
			if (text.length === 0) return null;
			const [end, gap] = eventEnd(text);
			if (end === -1) return null;
			const event = text.slice(0, end);
			this.#text = end + gap === text.length ? '' : text.slice(end + gap);
			const data = dataOf(event);
			if (data === null || this.#sawDone) continue;
			if (data.startsWith('[DONE]')) {
				this.#sawDone = true;
				continue;
			}
			const read = this.#template?.read(data);
			if (read) return read;
			const parsed = JSON.parse(data) as ChatCompletionChunk & { error?: unknown };
			if (parsed && parsed.error) throw new APIError(undefined, parsed.error as object, undefined, this.headers);
			if (this.#learnsLeft > 0) {
				this.#learnsLeft--;
				this.#template = ChunkTemplate.learn(data, parsed) ?? this.#template;
			}
			return parsed;
		}
	}
}

const DONE: IteratorReturnResult<undefined> = { value: undefined, done: true };

/** Where the first event ends and how long its blank line is: LF LF, CRLF CRLF or CR CR. */
function eventEnd(text: string): [number, number] {
	const lf = text.indexOf('\n\n');
	// The common case (OpenRouter, OpenAI, the simulator): LF framing, no CR anywhere.
	if (lf !== -1 && text.lastIndexOf('\r', lf) === -1) return [lf, 2];
	let best: [number, number] = [lf, 2];
	for (const [sep, gap] of [
		['\r\n\r\n', 4],
		['\r\r', 2]
	] as const) {
		const at = text.indexOf(sep);
		if (at !== -1 && (best[0] === -1 || at < best[0])) best = [at, gap];
	}
	return best;
}

/** The event's data lines joined with newlines, or null for an event without data (a comment). */
function dataOf(event: string): string | null {
	// The common case: one line, `data: {…}`.
	if (event.startsWith('data: ') && event.indexOf('\n') === -1 && event.indexOf('\r') === -1) return event.slice(6);
	let data: string | null = null;
	for (const line of event.split(/\r\n|\r|\n/)) {
		if (!line.startsWith('data:')) continue;
		const value = line.charCodeAt(5) === 32 ? line.slice(6) : line.slice(5);
		data = data === null ? value : `${data}\n${value}`;
	}
	return data;
}
