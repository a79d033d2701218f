import { Agent, request } from 'undici';

/**
 * A `fetch` for streamed completions on undici's own client (`request` on a keep-alive `Agent`):
 * the candidate measured against server/orchestrator/streaming-fetch.ts, kept here so that the
 * comparison can be run again (docs/architecture.md#the-hot-path). Same contract: connection
 * failures reject with `TypeError('fetch failed', { cause })`, a body cut off throws
 * `TypeError('terminated', { cause })`, an abort rejects with the signal's reason; the body is
 * handed over one SSE event at a time.
 *
 * To compare: build the server (`npm run build:server`) and copy dist/server to dist/a; use
 * `createUndiciFetch()` for the completions' fetch in server/orchestrator/upstream.ts, build again
 * and copy to dist/b; then `npx tsx bench/profile/compare-builds.ts node-http=dist/a/main.js
 * undici=dist/b/main.js`. Measured 2026-11-27 (SDK on either fetch, 400 single streams and 8 bursts
 * of 100): TTFT added p50 at 1 stream 4.13 ms (node:http) vs 5.85 ms (undici), at 100 streams
 * 114 vs 119 ms, CPU per request 1.61 vs 1.80 ms (bare proxy 0.96 ms, 25 ms, 0.43 ms).
 */
export function createUndiciFetch(): typeof fetch {
	const dispatcher = new Agent({ keepAliveTimeout: 60_000, pipelining: 1 });
	return async function undiciFetch(input: string | URL | Request, init: RequestInit = {}): Promise<Response> {
		const body = init.body;
		if (input instanceof Request || (body != null && typeof body !== 'string' && !(body instanceof Uint8Array))) return fetch(input, init);
		const signal = init.signal ?? undefined;
		let res;
		try {
			res = await request(input, {
				method: (init.method ?? 'GET') as 'POST',
				headers: Object.fromEntries(init.headers instanceof Headers ? init.headers : new Headers(init.headers)),
				body: body ?? null,
				signal,
				dispatcher
			});
		} catch (error) {
			if (signal?.aborted) throw signal.reason;
			throw new TypeError('fetch failed', { cause: error });
		}
		const headers = new Headers();
		for (const [name, value] of Object.entries(res.headers)) {
			if (Array.isArray(value)) for (const v of value) headers.append(name, v);
			else if (value !== undefined) headers.append(name, value);
		}
		if (res.statusCode < 200 || res.statusCode >= 300) {
			const bytes = await res.body.arrayBuffer();
			return new Response(res.statusCode === 204 ? null : bytes, { status: res.statusCode, headers });
		}
		return {
			ok: true,
			status: res.statusCode,
			statusText: '',
			headers,
			url: String(input),
			redirected: false,
			type: 'basic',
			bodyUsed: false,
			body: events(res.body, signal),
			text: () => res.body.text(),
			json: () => res.body.json(),
			arrayBuffer: () => res.body.arrayBuffer()
		} as unknown as Response;
	};
}

const EVENT_END = Buffer.from('\n\n');

/** The body one event at a time, with fetch's errors. */
async function* events(body: AsyncIterable<Buffer>, signal: AbortSignal | undefined): AsyncGenerator<Uint8Array> {
	try {
		for await (const chunk of body) {
			let start = 0;
			for (;;) {
				const end = chunk.indexOf(EVENT_END, start);
				if (end === -1 || end + 2 === chunk.length) {
					yield start === 0 ? chunk : chunk.subarray(start);
					break;
				}
				yield chunk.subarray(start, end + 2);
				start = end + 2;
			}
		}
	} catch (error) {
		if (signal?.aborted) throw signal.reason;
		throw new TypeError('terminated', { cause: error });
	}
}
