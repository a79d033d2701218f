import { Agent as HttpAgent, request as httpRequest, type ClientRequest, type IncomingMessage } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { finished } from 'node:stream';

/**
 * A `fetch` for streamed completions (read by CompletionChunks) and the SDK's JSON calls, on
 * node:http with a keep-alive pool instead of the global fetch. It is what keeps a proxied stream
 * cheap (bench/, docs/architecture.md#the-hot-path):
 *
 * - The body is a plain async iterator over the socket's bytes (which the SDK also accepts, as
 *   any body with `Symbol.asyncIterator`): no web ReadableStream, no Request/Response/fetch-
 *   controller objects held per open stream, and no stream machinery per HTTP chunk: one
 *   `read()` takes everything that has arrived.
 * - A string body goes out with its headers in one write; global fetch sends a body it has
 *   turned into a stream in several, each a wake-up of the upstream.
 *
 * What the SDK and our failure classification rely on is kept: connection failures reject with
 * `TypeError('fetch failed', { cause })`, a body cut off mid-way throws `TypeError('terminated',
 * { cause })`, and an abort rejects or ends the body with the signal's reason, as undici does.
 * Anything but a string or bytes body goes to the global fetch. No compression is asked for, so
 * the body needs no decoding; redirects are not followed (the API answers POSTs in place).
 */
export function createStreamingFetch(maxSockets = Infinity): typeof fetch {
	// LIFO reuses the warmest socket, so idle ones age out rather than all staying half-alive.
	const options = { keepAlive: true, maxSockets, scheduling: 'lifo', noDelay: true } as const;
	const httpAgent = new HttpAgent(options);
	const httpsAgent = new HttpsAgent(options);

	return function streamingFetch(input: string | URL | Request, init: RequestInit = {}): Promise<Response> {
		const body = plainBody(init.body);
		if (input instanceof Request || body === false) return fetch(input, init);
		const url = typeof input === 'string' ? new URL(input) : input;
		const signal = init.signal ?? null;
		if (signal?.aborted) return Promise.reject(signal.reason);
		const secure = url.protocol === 'https:';
		return new Promise<Response>((resolve, reject) => {
			const req = (secure ? httpsRequest : httpRequest)(url, {
				method: init.method ?? 'GET',
				headers: rawRequestHeaders(url, init.headers, body),
				agent: secure ? httpsAgent : httpAgent
			});
			new UpstreamCall(req, url, signal, resolve, reject).send(body);
		});
	};
}

/**
 * One request's life until its body is read: one object per request serves as the abort
 * listener and holds the callbacks, rather than a closure per event kind.
 */
class UpstreamCall {
	#answered = false;

	constructor(
		private readonly req: ClientRequest,
		private readonly url: URL,
		readonly signal: AbortSignal | null,
		private readonly resolve: (response: Response) => void,
		private readonly reject: (error: unknown) => void
	) {
		signal?.addEventListener('abort', this, { once: true });
		// Not `once`: the socket can fail again after the response began; the body reports that.
		req.on('error', (error) => this.#fail(error));
		req.once('response', (res) => this.#answer(res));
	}

	send(body: string | Uint8Array | null): void {
		if (body === null) this.req.end();
		else this.req.end(body);
	}

	/** The signal aborted: close the connection; before an answer, reject with the abort's reason. */
	handleEvent(): void {
		this.req.destroy();
		if (this.#answered) return;
		this.#answered = true;
		this.reject(this.signal?.reason);
	}

	/** The body is done with, one way or another: the signal need not be watched any longer. */
	release(): void {
		this.signal?.removeEventListener('abort', this);
	}

	#fail(error: Error): void {
		if (this.#answered) return;
		this.#answered = true;
		this.release();
		this.reject(this.signal?.aborted ? this.signal.reason : new TypeError('fetch failed', { cause: error }));
	}

	#answer(res: IncomingMessage): void {
		this.#answered = true;
		const status = res.statusCode ?? 0;
		const body = new BodyReader(res, this);
		if (status >= 200 && status < 300) {
			this.resolve(new StreamedResponse(res, this.url.href, body) as unknown as Response);
			return;
		}
		// Errors are small and rare: a standard Response, read whole, keeps them exactly as fetch gives them.
		readAll(body).then(
			(bytes) => this.resolve(new Response(nullBodyStatus(status) ? null : bytes, { status, statusText: res.statusMessage ?? '', headers: webHeaders(res) })),
			this.reject
		);
	}
}

/** The part of `Response` the SDK reads of a streamed answer (openai core/streaming, internal/parse). */
class StreamedResponse {
	readonly ok = true;
	readonly redirected = false;
	readonly type = 'basic';
	readonly status: number;
	readonly statusText: string;
	/** A view on the raw header lines Node keeps anyway: a Headers copy would be held per open stream. */
	readonly headers: Headers;
	#used = false;

	constructor(
		res: IncomingMessage,
		readonly url: string,
		readonly body: AsyncIterable<Uint8Array>
	) {
		this.status = res.statusCode ?? 200;
		this.statusText = res.statusMessage ?? '';
		this.headers = new RawHeaders(res.rawHeaders);
	}

	get bodyUsed(): boolean {
		return this.#used;
	}

	async arrayBuffer(): Promise<ArrayBuffer> {
		this.#used = true;
		return (await readAll(this.body)).buffer;
	}

	async text(): Promise<string> {
		this.#used = true;
		return Buffer.from(await readAll(this.body)).toString('utf8');
	}

	async json(): Promise<unknown> {
		return JSON.parse(await this.text()) as unknown;
	}
}

/**
 * The body as the SDK iterates it, with undici's errors: the abort's reason, or `terminated`.
 * A read holds every event that arrived together; each is handed over on its own because the
 * SDK's `iterSSEChunks` copies the rest of its buffer after every event it finds (quadratic in
 * the events per piece). Any cut is safe: the SDK joins pieces until it sees an event's end.
 * A plain iterator rather than generators over the stream's own: those would be two more
 * suspended frames (and promise chains) held per open stream, and a hop each per event.
 */
class BodyReader implements AsyncIterableIterator<Uint8Array, undefined> {
	#chunk: Buffer | null = null;
	#at = 0;
	#ended = false;
	#failure: Error | null = null;
	/** The consumer's pending next(), while nothing is buffered. */
	#resolve: ((result: IteratorResult<Uint8Array, undefined>) => void) | null = null;
	#reject: ((error: unknown) => void) | null = null;

	constructor(
		private readonly res: IncomingMessage,
		private readonly call: UpstreamCall
	) {
		res.on('readable', () => this.#settle());
		// `finished` tells an end from an error and from a close before the end, as the stream's iterator does.
		finished(res, (error) => {
			this.#ended = true;
			this.#failure = error ?? null;
			call.release();
			this.#settle();
		});
	}

	[Symbol.asyncIterator](): this {
		return this;
	}

	/** A plain method, not an async one: no suspended frame is held while the upstream is quiet. */
	next(): Promise<IteratorResult<Uint8Array, undefined>> {
		try {
			const result = this.#poll();
			if (result) return Promise.resolve(result);
		} catch (error) {
			return Promise.reject(error);
		}
		return new Promise<IteratorResult<Uint8Array, undefined>>((resolve, reject) => {
			this.#resolve = resolve;
			this.#reject = reject;
		});
	}

	/** The consumer stopped early: the rest of the body is not wanted, so the connection goes. */
	return(): Promise<IteratorResult<Uint8Array, undefined>> {
		this.#chunk = null;
		this.res.destroy();
		return Promise.resolve(DONE);
	}

	/** The next piece, the end, a failure (thrown), or null while there is nothing yet. */
	#poll(): IteratorResult<Uint8Array, undefined> | null {
		let piece = this.#nextPiece();
		if (piece === null) {
			const chunk = this.res.read() as Buffer | null;
			if (chunk !== null) {
				this.#chunk = chunk;
				this.#at = 0;
				piece = this.#nextPiece();
			}
		}
		if (piece !== null) return { value: piece, done: false };
		if (!this.#ended) return null;
		if (this.#failure === null) return DONE;
		const signal = this.call.signal;
		if (signal?.aborted) throw signal.reason;
		throw new TypeError('terminated', { cause: this.#failure });
	}

	#nextPiece(): Buffer | null {
		const chunk = this.#chunk;
		if (chunk === null) return null;
		const start = this.#at;
		const end = chunk.indexOf(EVENT_END, start);
		if (end === -1 || end + 2 === chunk.length) {
			this.#chunk = null;
			return start === 0 ? chunk : chunk.subarray(start);
		}
		this.#at = end + 2;
		return chunk.subarray(start, end + 2);
	}

	/** Answers a waiting next(), if any, once there is something to answer with. */
	#settle(): void {
		const resolve = this.#resolve;
		const reject = this.#reject;
		if (!resolve || !reject) return;
		let result;
		try {
			result = this.#poll();
		} catch (error) {
			this.#resolve = this.#reject = null;
			reject(error);
			return;
		}
		if (!result) return;
		this.#resolve = this.#reject = null;
		resolve(result);
	}
}

const DONE: IteratorReturnResult<undefined> = { value: undefined, done: true };

/**
 * Response headers as fetch shows them (names lower-cased, repeated ones joined with ", ",
 * read-only), read from the raw header lines instead of copied into a Headers.
 */
class RawHeaders implements Headers {
	constructor(private readonly raw: string[]) {}

	get(name: string): string | null {
		const wanted = name.toLowerCase();
		let value: string | null = null;
		for (let i = 0; i + 1 < this.raw.length; i += 2) {
			if ((this.raw[i] as string).toLowerCase() !== wanted) continue;
			const line = this.raw[i + 1] as string;
			value = value === null ? line : `${value}, ${line}`;
		}
		return value;
	}

	has(name: string): boolean {
		return this.get(name) !== null;
	}

	getSetCookie(): string[] {
		const out: string[] = [];
		for (let i = 0; i + 1 < this.raw.length; i += 2) if ((this.raw[i] as string).toLowerCase() === 'set-cookie') out.push(this.raw[i + 1] as string);
		return out;
	}

	forEach(callback: (value: string, key: string, parent: Headers) => void, thisArg?: unknown): void {
		for (const [key, value] of this.entries()) callback.call(thisArg, value, key, this);
	}

	*entries(): HeadersIterator<[string, string]> {
		const names = [...new Set(this.raw.filter((_, i) => i % 2 === 0).map((n) => n.toLowerCase()))].sort();
		for (const name of names) {
			if (name === 'set-cookie') for (const cookie of this.getSetCookie()) yield [name, cookie];
			else yield [name, this.get(name) as string];
		}
	}

	*keys(): HeadersIterator<string> {
		for (const [key] of this.entries()) yield key;
	}

	*values(): HeadersIterator<string> {
		for (const [, value] of this.entries()) yield value;
	}

	[Symbol.iterator](): HeadersIterator<[string, string]> {
		return this.entries();
	}

	append(): void {
		throw new TypeError('immutable');
	}

	set(): void {
		throw new TypeError('immutable');
	}

	delete(): void {
		throw new TypeError('immutable');
	}
}

const EVENT_END = Buffer.from('\n\n');

async function readAll(body: AsyncIterable<Uint8Array>): Promise<Uint8Array<ArrayBuffer>> {
	const parts: Uint8Array[] = [];
	let size = 0;
	for await (const part of body) {
		parts.push(part);
		size += part.byteLength;
	}
	const out = new Uint8Array(size);
	let offset = 0;
	for (const part of parts) {
		out.set(part, offset);
		offset += part.byteLength;
	}
	return out;
}

/** A body sent as is, or false for the kinds (streams, forms, blobs) left to the global fetch. */
function plainBody(body: BodyInit | null | undefined): string | Uint8Array | null | false {
	if (body == null) return null;
	return typeof body === 'string' || body instanceof Uint8Array ? body : false;
}

const nullBodyStatus = (status: number) => status === 101 || status === 204 || status === 205 || status === 304;

/**
 * Headers as Node's raw array, Host first: given an array, Node sends the lines as they are and
 * keeps no per-header objects on the request, which lives as long as the stream.
 */
function rawRequestHeaders(url: URL, init: HeadersInit | undefined, body: string | Uint8Array | null): string[] {
	const out = ['host', url.host];
	// A plain record (the completions' headers, built once) is read as it is: a Headers copy per call is undici's, and not free.
	const entries = init === undefined ? [] : init instanceof Headers || Array.isArray(init) ? init : Object.entries(init);
	for (const [name, value] of entries) out.push(name as string, value as string);
	if (body !== null) out.push('content-length', String(typeof body === 'string' ? Buffer.byteLength(body) : body.byteLength));
	return out;
}

function webHeaders(res: IncomingMessage): Headers {
	const headers = new Headers();
	const raw = res.rawHeaders;
	for (let i = 0; i + 1 < raw.length; i += 2) headers.append(raw[i] as string, raw[i + 1] as string);
	return headers;
}
