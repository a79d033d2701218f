import { Agent, request } from 'undici';

/** Plenty of sockets: the load, not the client's pool, must be what is measured. */
export const agent = new Agent({ connections: 2_000, pipelining: 0, keepAliveTimeout: 30_000 });

export interface StreamResult {
	/** Milliseconds from sending the request to the first byte of content. */
	ttftMs: number;
	chunks: number;
	totalMs: number;
}

/**
 * POSTs a streaming chat completion and reads it raw: counts `data:` events that carry content
 * and times the first one. No SDK, so the client's own cost stays small and equal for every target.
 */
export async function streamCompletion(
	baseUrl: string,
	content: string,
	headers: Record<string, string> = {},
	signal?: AbortSignal,
	onFirstToken?: () => void
): Promise<StreamResult> {
	const started = performance.now();
	const res = await request(`${baseUrl}/chat/completions`, {
		method: 'POST',
		dispatcher: agent,
		signal,
		headers: { 'content-type': 'application/json', authorization: 'Bearer bench', ...headers },
		body: JSON.stringify({ model: 'sim/echo-mini', stream: true, messages: [{ role: 'user', content }] })
	});
	if (res.statusCode !== 200) throw new Error(`${baseUrl} answered ${res.statusCode}: ${await res.body.text()}`);
	let ttftMs = Number.NaN;
	let chunks = 0;
	let carry = '';
	for await (const buf of res.body) {
		const text = carry + (buf as Buffer).toString('utf8');
		const events = text.split('\n\n');
		carry = events.pop() ?? '';
		for (const event of events) {
			if (!event.includes('"content":"') || event.includes('"content":""')) continue;
			if (Number.isNaN(ttftMs)) {
				ttftMs = performance.now() - started;
				onFirstToken?.();
			}
			chunks++;
		}
	}
	return { ttftMs, chunks, totalMs: performance.now() - started };
}

/** `requests` streams to `target`, `inFlight` at a time; resolves with the content chunks they carried. */
export async function sendInFlight(target: { url: string; headers?: Record<string, string> }, content: string, requests: number, inFlight: number): Promise<number> {
	let next = 0;
	let chunks = 0;
	await Promise.all(
		Array.from({ length: inFlight }, async () => {
			while (next++ < requests) {
				// Not `chunks += await …`: that reads `chunks` before the wait and drops the other streams' counts.
				const result = await streamCompletion(target.url, content, target.headers);
				chunks += result.chunks;
			}
		})
	);
	return chunks;
}
