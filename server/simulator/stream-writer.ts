import { once } from 'node:events';
import type { ServerResponse } from 'node:http';
import { abortError, sleep, yieldTurn } from './abortable';
import { DONE_DATA, PROCESSING_COMMENT, sseComment, sseData, type LineEnding } from './sse';

/** split fault: byte counts cycle through these, so events, UTF-8 sequences and CRLFs get cut mid-way. */
const SPLIT_SIZES = [1, 3, 2, 5, 4, 1, 7];

/** Writes SSE to one response, honouring backpressure and stopping as soon as the client is gone. */
export class SseWriter {
	readonly #res: ServerResponse;
	readonly #signal: AbortSignal;
	readonly #eol: LineEnding;
	readonly #split: boolean;
	#splitTurn = 0;
	#corked = false;

	constructor(res: ServerResponse, signal: AbortSignal, options: { eol: LineEnding; split: boolean }) {
		this.#res = res;
		this.#signal = signal;
		this.#eol = options.eol;
		this.#split = options.split;
	}

	comment(text = PROCESSING_COMMENT): Promise<void> {
		return this.#write(sseComment(text, this.#eol));
	}

	data(payload: string): Promise<void> {
		return this.#write(sseData(payload, this.#eol));
	}

	done(): Promise<void> {
		return this.data(DONE_DATA);
	}

	/** Resolves once everything written so far has left Node for the kernel (before a deliberate reset). */
	async flushed(): Promise<void> {
		while ((this.#res.socket?.writableLength ?? 0) > 0) await sleep(1, this.#signal);
	}

	async #write(text: string): Promise<void> {
		if (!this.#split) return this.#writeRaw(text);
		const bytes = Buffer.from(text, 'utf8');
		for (let offset = 0; offset < bytes.length; ) {
			const size = SPLIT_SIZES[this.#splitTurn++ % SPLIT_SIZES.length] ?? 1;
			await this.#writeRaw(bytes.subarray(offset, offset + size));
			offset += size;
			// A turn of the event loop between writes so they leave as separate TCP writes.
			await yieldTurn(this.#signal);
		}
	}

	async #writeRaw(chunk: string | Buffer): Promise<void> {
		if (this.#signal.aborted) throw abortError();
		this.#coalesce();
		if (!this.#res.write(chunk)) await once(this.#res, 'drain', { signal: this.#signal });
	}

	/**
	 * Writes made before the stream next waits on a timer or I/O leave in one syscall: the tick
	 * callback runs only once the current chain of promise continuations has run out.
	 */
	#coalesce(): void {
		if (this.#corked) return;
		this.#corked = true;
		this.#res.cork();
		process.nextTick(() => {
			this.#corked = false;
			this.#res.uncork();
		});
	}
}
