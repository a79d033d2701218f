/**
 * A small, strict SSE reader for tests: it follows the WHATWG parsing rules (LF, CR and CRLF line
 * ends, `:` comments, multi-line data) and keeps comments, which browsers' EventSource hides.
 */
export type SseEvent = { type: 'comment'; text: string } | { type: 'data'; data: string; event?: string; id?: string };

export class SseParser {
	#buffer = '';
	#data: string[] = [];
	#event: string | undefined;
	#id: string | undefined;

	/** Feeds decoded text; returns the events completed by it. */
	push(text: string): SseEvent[] {
		this.#buffer += text;
		const events: SseEvent[] = [];
		for (;;) {
			const match = /\r\n|\r|\n/.exec(this.#buffer);
			if (!match) break;
			// A lone CR at the very end may be the first half of a CRLF split across reads.
			if (match[0] === '\r' && match.index === this.#buffer.length - 1) break;
			const line = this.#buffer.slice(0, match.index);
			this.#buffer = this.#buffer.slice(match.index + match[0].length);
			const event = this.#line(line);
			if (event) events.push(event);
		}
		return events;
	}

	/** At end of stream an unterminated event is dropped, as the spec says. */
	end(): SseEvent[] {
		const events = this.#buffer.endsWith('\r') ? this.push('\n') : [];
		this.#buffer = '';
		return events;
	}

	#line(line: string): SseEvent | undefined {
		if (line === '') return this.#dispatch();
		if (line.startsWith(':')) return { type: 'comment', text: line.slice(1).trimStart() };
		const colon = line.indexOf(':');
		const field = colon === -1 ? line : line.slice(0, colon);
		let value = colon === -1 ? '' : line.slice(colon + 1);
		if (value.startsWith(' ')) value = value.slice(1);
		if (field === 'data') this.#data.push(value);
		else if (field === 'event') this.#event = value;
		else if (field === 'id') this.#id = value;
		return undefined;
	}

	#dispatch(): SseEvent | undefined {
		if (this.#data.length === 0) return undefined;
		const event: SseEvent = {
			type: 'data',
			data: this.#data.join('\n'),
			...(this.#event === undefined ? {} : { event: this.#event }),
			...(this.#id === undefined ? {} : { id: this.#id })
		};
		this.#data = [];
		this.#event = undefined;
		return event;
	}
}

export interface SseCapture {
	events: SseEvent[];
	/** The decoded body as received, to check framing bytes (e.g. CRLF). */
	raw: string;
	/** Number of body reads: many small reads prove a split stream. */
	reads: number;
	/** Why reading stopped. */
	end: 'done' | 'error' | 'idle' | 'stopped';
	error?: unknown;
	/** Milliseconds from the start of reading to each event, parallel to `events`. */
	times: number[];
}

export interface ReadSseOptions {
	/** Stop (and cancel the body) when no bytes arrive for this long. */
	idleMs?: number;
	/** Return true to stop reading. */
	until?: (event: SseEvent, capture: SseCapture) => boolean;
	/**
	 * Cancel the body when stopping early (default true). Set false to abort through your own
	 * AbortController instead: undici may close the socket only lazily after a cancel.
	 */
	cancelOnStop?: boolean;
}

/** Reads a streaming fetch Response to its end, an error, idleness or a stop condition; never throws. */
export async function readSse(response: Response, options: ReadSseOptions = {}): Promise<SseCapture> {
	const capture: SseCapture = { events: [], raw: '', reads: 0, end: 'done', times: [] };
	if (!response.body) return capture;
	const reader = response.body.getReader();
	const decoder = new TextDecoder();
	const parser = new SseParser();
	const started = performance.now();
	const accept = (events: SseEvent[]): boolean => {
		for (const event of events) {
			capture.events.push(event);
			capture.times.push(performance.now() - started);
			if (options.until?.(event, capture)) return true;
		}
		return false;
	};
	try {
		for (;;) {
			const result = await readWithIdle(reader, options.idleMs);
			if (result === 'idle') {
				capture.end = 'idle';
				break;
			}
			if (result.done) {
				accept(parser.push(decoder.decode()));
				accept(parser.end());
				return capture;
			}
			capture.reads++;
			const text = decoder.decode(result.value, { stream: true });
			capture.raw += text;
			if (accept(parser.push(text))) {
				capture.end = 'stopped';
				break;
			}
		}
	} catch (error) {
		capture.end = 'error';
		capture.error = error;
		return capture;
	}
	if (options.cancelOnStop !== false) await reader.cancel().catch(() => {});
	else reader.releaseLock();
	return capture;
}

async function readWithIdle(
	reader: ReadableStreamDefaultReader<Uint8Array>,
	idleMs: number | undefined
): Promise<ReadableStreamReadResult<Uint8Array> | 'idle'> {
	if (idleMs === undefined) return reader.read();
	let timer: ReturnType<typeof setTimeout> | undefined;
	const idle = new Promise<'idle'>((resolve) => {
		timer = setTimeout(() => resolve('idle'), idleMs);
	});
	try {
		return await Promise.race([reader.read(), idle]);
	} finally {
		clearTimeout(timer);
	}
}

/** The payloads of data events, in order. */
export function dataOf(events: readonly SseEvent[]): string[] {
	return events.flatMap((event) => (event.type === 'data' ? [event.data] : []));
}

export function commentsOf(events: readonly SseEvent[]): string[] {
	return events.flatMap((event) => (event.type === 'comment' ? [event.text] : []));
}
