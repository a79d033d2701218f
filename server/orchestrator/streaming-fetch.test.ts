import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createStreamingFetch } from './streaming-fetch';

/** The SDK and classify-failure rely on fetch's shapes; each case is checked against the global fetch. */
describe('createStreamingFetch', () => {
	const streamingFetch = createStreamingFetch();
	let server: Server;
	let base = '';

	beforeAll(async () => {
		server = createServer((req, res) => {
			if (req.url === '/sse') {
				res.writeHead(200, { 'Content-Type': 'text/event-stream', 'X-Generation-Id': 'gen-1', 'Set-Cookie': ['a=1', 'b=2'], 'X-Multi': ['x', 'y'] });
				res.write('data: one\n\ndata: two\n\n: keep-alive\n\ndata: thr');
				setTimeout(() => res.end('ee\n\n'), 5);
			} else if (req.url === '/echo') {
				let body = '';
				req.on('data', (part: Buffer) => (body += part.toString()));
				req.on('end', () => {
					res.writeHead(200, { 'Content-Type': 'application/json' });
					res.end(JSON.stringify({ method: req.method, body, length: req.headers['content-length'], custom: req.headers['x-custom'] }));
				});
			} else if (req.url === '/error') {
				res.writeHead(429, 'Too Many', { 'Content-Type': 'application/json', 'Retry-After': '2' });
				res.end('{"error":{"message":"slow down"}}');
			} else if (req.url === '/cut') {
				res.writeHead(200, { 'Content-Type': 'text/event-stream' });
				res.write('data: partial\n\n');
				setTimeout(() => res.socket?.destroy(), 5);
			} else if (req.url === '/hang') {
				res.writeHead(200, { 'Content-Type': 'text/event-stream' });
				res.write('data: first\n\n');
			}
		});
		await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
		base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
	});
	afterAll(() => {
		server.closeAllConnections();
		server.close();
	});

	async function text(body: AsyncIterable<Uint8Array> | ReadableStream<Uint8Array> | null): Promise<{ text: string; pieces: number }> {
		let out = '';
		let pieces = 0;
		for await (const piece of body as AsyncIterable<Uint8Array>) {
			out += Buffer.from(piece).toString('utf8');
			pieces++;
		}
		return { text: out, pieces };
	}

	it('streams a 2xx body one event per piece, with the headers fetch would show', async () => {
		const [ours, theirs] = await Promise.all([streamingFetch(`${base}/sse`), fetch(`${base}/sse`)]);
		expect(ours.status).toBe(200);
		expect(ours.ok).toBe(true);
		const body = await text(ours.body);
		expect(body.text).toBe(await theirs.text());
		expect(body.pieces).toBeGreaterThanOrEqual(4);
		for (const name of ['x-generation-id', 'X-Multi', 'content-type', 'set-cookie', 'absent']) expect(ours.headers.get(name)).toBe(theirs.headers.get(name));
		expect(ours.headers.getSetCookie()).toEqual(theirs.headers.getSetCookie());
		const skip = new Set(['date', 'keep-alive', 'connection', 'transfer-encoding']);
		expect([...ours.headers.entries()].filter(([k]) => !skip.has(k))).toEqual([...theirs.headers.entries()].filter(([k]) => !skip.has(k)));
	});

	it('sends a string body with its length and headers, and reads JSON', async () => {
		const init = { method: 'POST', headers: new Headers({ 'X-Custom': 'yes', 'Content-Type': 'application/json' }), body: '{"é":1}' };
		const ours = await streamingFetch(`${base}/echo`, init);
		expect(await ours.json()).toEqual(await (await fetch(`${base}/echo`, init)).json());
	});

	it('gives a non-2xx answer as a standard Response', async () => {
		const ours = await streamingFetch(`${base}/error`);
		expect(ours).toBeInstanceOf(Response);
		expect([ours.status, ours.statusText, ours.headers.get('retry-after')]).toEqual([429, 'Too Many', '2']);
		expect(await ours.json()).toEqual({ error: { message: 'slow down' } });
	});

	it('rejects a failed connection with TypeError("fetch failed") and the cause, as undici does', async () => {
		const closed = createServer();
		await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
		const url = `http://127.0.0.1:${(closed.address() as AddressInfo).port}/`;
		await new Promise((r) => closed.close(r));
		const [ours, theirs] = await Promise.all([streamingFetch(url).catch((e: unknown) => e), fetch(url).catch((e: unknown) => e)]);
		expect(ours).toBeInstanceOf(TypeError);
		expect((ours as TypeError).message).toBe((theirs as TypeError).message);
		expect(((ours as TypeError).cause as { code?: string }).code).toBe('ECONNREFUSED');
	});

	it('throws TypeError("terminated") when the body is cut off', async () => {
		const res = await streamingFetch(`${base}/cut`);
		const error = await text(res.body).catch((e: unknown) => e);
		expect(error).toBeInstanceOf(TypeError);
		expect((error as TypeError).message).toBe('terminated');
	});

	it('ends with the signal reason when aborted before or during the body', async () => {
		const before = new AbortController();
		const reason = new DOMException('stop', 'AbortError');
		setTimeout(() => before.abort(reason), 5);
		const never = `${base}/never-answered`;
		await expect(streamingFetch(never, { signal: before.signal })).rejects.toBe(reason);

		const during = new AbortController();
		const res = await streamingFetch(`${base}/hang`, { signal: during.signal });
		setTimeout(() => during.abort(reason), 5);
		await expect(text(res.body)).rejects.toBe(reason);
	});
});
