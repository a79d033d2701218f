import { APIError } from 'openai';
import { describe, expect, it } from 'vitest';
import { CompletionChunks } from './completion-stream';

/** The body as the streaming fetch hands it over: arbitrary pieces of bytes. */
function chunksOf(...pieces: string[]) {
	async function* body() {
		for (const piece of pieces) yield Buffer.from(piece);
	}
	return new CompletionChunks(body(), new Headers({ 'x-generation-id': 'gen-1' }));
}

async function all(chunks: CompletionChunks) {
	const out: unknown[] = [];
	for (let next = await chunks.next(); !next.done; next = await chunks.next()) out.push(next.value);
	return out;
}

const event = (value: object) => `data: ${JSON.stringify(value)}\n\n`;

describe('CompletionChunks (SSE decoding of a streamed completion)', () => {
	it('yields each data event parsed, skips keep-alive comments, stops yielding at [DONE] but reads to the end', async () => {
		const chunks = chunksOf(`: OPENROUTER PROCESSING\n\n${event({ id: 'a' })}${event({ id: 'b' })}`, 'data: [DONE]\n\n', event({ id: 'after' }));
		expect(await all(chunks)).toEqual([{ id: 'a' }, { id: 'b' }]);
	});

	it('joins an event split across reads, even inside a multi-byte character', async () => {
		const whole = Buffer.from(event({ text: 'héllo ✓' }));
		const cut = whole.indexOf(Buffer.from('✓')) + 1;
		async function* body() {
			yield whole.subarray(0, 7);
			yield whole.subarray(7, cut);
			yield whole.subarray(cut);
		}
		expect(await all(new CompletionChunks(body(), new Headers()))).toEqual([{ text: 'héllo ✓' }]);
	});

	it('reads CRLF framing, multi-line data and an event the body ends without a blank line after', async () => {
		const chunks = chunksOf('data: {"id":\r\ndata: "a"}\r\n\r\n', ':ping\r\n\r\n', 'data:{"id":"b"}');
		expect(await all(chunks)).toEqual([{ id: 'a' }, { id: 'b' }]);
	});

	it('throws an error sent after HTTP 200 as the SDK does: an APIError without a status', async () => {
		const chunks = chunksOf(event({ id: 'a' }), event({ error: { code: 502, message: 'Provider fell over' } }));
		expect(await chunks.next()).toEqual({ value: { id: 'a' }, done: false });
		const error = await chunks.next().catch((e: unknown) => e);
		expect(error).toBeInstanceOf(APIError);
		expect((error as APIError).status).toBeUndefined();
		expect((error as APIError).error).toEqual({ code: 502, message: 'Provider fell over' });
	});

	it('throws a malformed chunk as a SyntaxError', async () => {
		await expect(all(chunksOf('data: {not json\n\n'))).rejects.toBeInstanceOf(SyntaxError);
	});

	it('reads the text chunks that follow one of the same shape without parsing them, to the same result', async () => {
		const chunk = (delta: object, finish: string | null = null, more: object = {}) => ({ id: 'gen-1', model: 'm', object: 'chat.completion.chunk', created: 1, choices: [{ index: 0, delta, finish_reason: finish }], ...more });
		const sent = [
			chunk({ role: 'assistant', content: '' }),
			chunk({ content: 'One' }),
			chunk({ content: ' "two"' }),
			chunk({ content: ' \\three\n' }),
			chunk({ content: 'x' }, null, { id: 'gen-2' }),
			chunk({}, 'stop'),
			{ ...chunk({}), choices: [], usage: { prompt_tokens: 3, completion_tokens: 4, cost: 0.5 } }
		];
		const received = (await all(chunksOf(sent.map(event).join('')))) as Array<{ id: string; choices: Array<{ delta: object; finish_reason: string | null }>; usage?: object }>;
		expect(received.map((c) => [c.id, c.choices[0]?.delta, c.choices[0]?.finish_reason ?? null, c.usage ?? null])).toEqual(
			sent.map((c) => [c.id, c.choices[0]?.delta, c.choices[0]?.finish_reason ?? null, (c as { usage?: object }).usage ?? null])
		);
	});
});
