import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimulator, type Simulator } from '../../server/simulator';
import { commentsOf, dataOf, readSse, SseParser, type SseCapture } from '../helpers/sse';
import { waitFor } from '../helpers/wait-for';

interface Chunk {
	id: string;
	model: string;
	object: string;
	error?: { code: number; message: string };
	choices: { index: number; delta: { content?: string }; finish_reason: string | null }[];
	usage?: { prompt_tokens: number; completion_tokens: number; total_tokens: number; cost: number };
}

interface ChatOptions {
	model?: string;
	stream?: boolean;
	seed?: number;
	maxTokens?: number;
	fault?: string;
	signal?: AbortSignal;
}

let sim: Simulator;

beforeAll(async () => {
	sim = await startSimulator({ seed: 11 });
});

afterAll(async () => {
	await sim.close();
});

function chat(content: string, options: ChatOptions = {}): Promise<Response> {
	const body = {
		model: options.model ?? 'sim/gpt-like',
		messages: [
			{ role: 'system', content: 'You are a simulator.' },
			{ role: 'user', content }
		],
		stream: options.stream ?? true,
		...(options.seed === undefined ? {} : { seed: options.seed }),
		...(options.maxTokens === undefined ? {} : { max_tokens: options.maxTokens })
	};
	return fetch(`${sim.url}/chat/completions`, {
		method: 'POST',
		headers: {
			'Content-Type': 'application/json',
			Authorization: 'Bearer test',
			...(options.fault ? { 'X-Sim-Fault': options.fault } : {})
		},
		body: JSON.stringify(body),
		...(options.signal ? { signal: options.signal } : {})
	});
}

/** Data payloads parsed as chunks; [DONE] and unparseable payloads are left out. */
function chunksOf(capture: SseCapture): Chunk[] {
	return dataOf(capture.events).flatMap((data) => {
		if (data === '[DONE]') return [];
		try {
			return [JSON.parse(data) as Chunk];
		} catch {
			return [];
		}
	});
}

function contentChunks(capture: SseCapture): Chunk[] {
	return chunksOf(capture).filter((chunk) => !chunk.usage && !chunk.error && chunk.choices[0]?.finish_reason === null);
}

function textOf(capture: SseCapture): string {
	return chunksOf(capture)
		.map((chunk) => chunk.choices[0]?.delta.content ?? '')
		.join('');
}

async function stream(content: string, options: ChatOptions = {}): Promise<{ res: Response; capture: SseCapture }> {
	const res = await chat(content, options);
	expect(res.status).toBe(200);
	return { res, capture: await readSse(res) };
}

async function nonStreamText(content: string, options: ChatOptions = {}): Promise<string> {
	const res = await chat(content, { ...options, stream: false });
	const body = (await res.json()) as { choices: { message: { content: string } }[] };
	return body.choices[0]?.message.content ?? '';
}

async function generation(id: string): Promise<Response> {
	return fetch(`${sim.url}/generation?id=${encodeURIComponent(id)}`, { headers: { Authorization: 'Bearer test' } });
}

function cost(tokensPrompt: number, tokensCompletion: number, prompt: number, completion: number): number {
	// Inputs here are chosen so the float result is exact enough for toBeCloseTo at 15 digits.
	return tokensPrompt * prompt + tokensCompletion * completion;
}

describe('simulator', { timeout: 5_000 }, () => {
	describe('GET /models', () => {
		it('lists sim models shaped like OpenRouter, with per-token decimal prices', async () => {
			const res = await fetch(`${sim.url}/models`);
			expect(res.status).toBe(200);
			const body = (await res.json()) as { data: Record<string, unknown>[] };
			const byId = new Map(body.data.map((model) => [model.id, model]));
			for (const id of ['sim/echo-mini', 'sim/sonnet-like', 'sim/gpt-like', 'sim/free', 'sim/tiny-price']) {
				expect(byId.has(id)).toBe(true);
			}
			expect(byId.get('sim/sonnet-like')).toMatchObject({
				name: expect.any(String),
				created: expect.any(Number),
				description: expect.any(String),
				context_length: 200_000,
				architecture: { modality: 'text->text', input_modalities: ['text'], output_modalities: ['text'], tokenizer: expect.any(String) },
				pricing: { prompt: '0.000003', completion: '0.000015', request: '0', image: '0' },
				top_provider: { context_length: 200_000, max_completion_tokens: expect.any(Number), is_moderated: false }
			});
			expect(byId.get('sim/gpt-like')).toMatchObject({ context_length: 128_000, pricing: { prompt: '0.0000025', completion: '0.00001' } });
			expect(byId.get('sim/echo-mini')).toMatchObject({ context_length: 32_768 });
			expect(byId.get('sim/free')).toMatchObject({ pricing: { prompt: '0', completion: '0' } });
			expect(byId.get('sim/tiny-price')).toMatchObject({ pricing: { prompt: '0.0000000375' } });
			for (const model of body.data) {
				const pricing = model.pricing as Record<string, unknown>;
				for (const field of ['prompt', 'completion', 'request', 'image']) expect(pricing[field]).toMatch(/^\d+(\.\d+)?$/);
			}
		});
	});

	describe('POST /chat/completions without streaming', () => {
		it('returns a chat.completion with usage and cost, and the X-Generation-Id header', async () => {
			const res = await chat('Tell me about ledgers', { stream: false, model: 'sim/sonnet-like' });
			expect(res.status).toBe(200);
			const body = (await res.json()) as {
				id: string;
				object: string;
				model: string;
				choices: { message: { role: string; content: string }; finish_reason: string }[];
				usage: { prompt_tokens: number; completion_tokens: number; total_tokens: number; cost: number };
			};
			expect(body.id).toMatch(/^gen-/);
			expect(res.headers.get('x-generation-id')).toBe(body.id);
			expect(body).toMatchObject({ object: 'chat.completion', model: 'sim/sonnet-like' });
			const choice = body.choices[0];
			expect(choice?.message.role).toBe('assistant');
			expect(choice?.finish_reason).toBe('stop');
			const text = choice?.message.content ?? '';
			expect(text.length).toBeGreaterThanOrEqual(300);
			const promptTokens = Math.ceil('You are a simulator.'.length / 4) + Math.ceil('Tell me about ledgers'.length / 4);
			expect(body.usage).toMatchObject({
				prompt_tokens: promptTokens,
				completion_tokens: Math.ceil(text.length / 4),
				total_tokens: promptTokens + Math.ceil(text.length / 4)
			});
			expect(body.usage.cost).toBeCloseTo(cost(promptTokens, Math.ceil(text.length / 4), 0.000003, 0.000015), 15);
			expect(sim.stats.generations.get(body.id)?.cost).toBe(body.usage.cost);
		});

		it('cuts at max_tokens with finish_reason "length"', async () => {
			const res = await chat('short please', { stream: false, maxTokens: 5 });
			const body = (await res.json()) as { choices: { message: { content: string }; finish_reason: string }[]; usage: { completion_tokens: number } };
			expect(body.choices[0]?.finish_reason).toBe('length');
			expect(body.choices[0]?.message.content).toHaveLength(20);
			expect(body.usage.completion_tokens).toBe(5);
		});

		it('produces a 130k-character reply on request', async () => {
			const text = await nonStreamText('[[sim:len=130000]] long one');
			expect(text).toHaveLength(130_000);
		});

		it('rejects bad bodies and unknown models with the OpenRouter error shape', async () => {
			const post = (body: string): Promise<Response> =>
				fetch(`${sim.url}/chat/completions`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body });
			const notJson = await post('{');
			expect(notJson.status).toBe(400);
			expect(await notJson.json()).toEqual({ error: { code: 400, message: expect.stringMatching(/JSON/) } });
			const noMessages = await post(JSON.stringify({ model: 'sim/free', messages: [] }));
			expect(noMessages.status).toBe(400);
			expect(await noMessages.json()).toEqual({ error: { code: 400, message: expect.stringMatching(/messages/) } });
			const unknown = await post(JSON.stringify({ model: 'sim/nope', messages: [{ role: 'user', content: 'x' }] }));
			expect(unknown.status).toBe(400);
			expect(await unknown.json()).toEqual({ error: { code: 400, message: expect.stringMatching(/sim\/nope is not a valid model ID/) } });
			const badDirective = await chat('x', { fault: 'status=200' });
			expect(badDirective.status).toBe(400);
		});

		it('enforces requireKey when set', async () => {
			const guarded = await startSimulator({ requireKey: 'sk-right' });
			try {
				const call = (key: string): Promise<Response> =>
					fetch(`${guarded.url}/chat/completions`, {
						method: 'POST',
						headers: { Authorization: `Bearer ${key}`, 'Content-Type': 'application/json' },
						body: JSON.stringify({ model: 'sim/free', messages: [{ role: 'user', content: 'x' }] })
					});
				const wrong = await call('sk-wrong');
				expect(wrong.status).toBe(401);
				expect(await wrong.json()).toEqual({ error: { code: 401, message: expect.any(String) } });
				expect((await call('sk-right')).status).toBe(200);
			} finally {
				await guarded.close();
			}
		});
	});

	describe('streaming', () => {
		it('frames like OpenRouter: processing comment, one id, finish, usage with cost, [DONE] last', async () => {
			const { res, capture } = await stream('Frame check', { model: 'sim/sonnet-like', seed: 5 });
			expect(res.headers.get('content-type')).toMatch(/^text\/event-stream/);
			expect(capture.end).toBe('done');
			expect(capture.events[0]).toEqual({ type: 'comment', text: 'OPENROUTER PROCESSING' });
			expect(capture.raw.startsWith(': OPENROUTER PROCESSING\n\n')).toBe(true);
			const data = dataOf(capture.events);
			expect(data.at(-1)).toBe('[DONE]');
			const chunks = chunksOf(capture);
			expect(chunks.length).toBe(data.length - 1);
			const id = res.headers.get('x-generation-id');
			expect(id).toMatch(/^gen-/);
			for (const chunk of chunks) {
				expect(chunk.id).toBe(id);
				expect(chunk.model).toBe('sim/sonnet-like');
				expect(chunk.object).toBe('chat.completion.chunk');
			}
			const content = contentChunks(capture);
			expect(content.length).toBeGreaterThan(20);
			const finish = chunks.at(-2);
			expect(finish?.choices[0]?.finish_reason).toBe('stop');
			expect(finish?.usage).toBeUndefined();
			const usageChunk = chunks.at(-1);
			expect(usageChunk?.choices[0]).toMatchObject({ index: 0, delta: { content: '' }, finish_reason: 'stop' });
			const text = textOf(capture);
			expect(text).toBe(await nonStreamText('Frame check', { model: 'sim/sonnet-like', seed: 5 }));
			const promptTokens = Math.ceil('You are a simulator.'.length / 4) + Math.ceil('Frame check'.length / 4);
			expect(usageChunk?.usage).toMatchObject({
				prompt_tokens: promptTokens,
				completion_tokens: Math.ceil(text.length / 4),
				total_tokens: promptTokens + Math.ceil(text.length / 4)
			});
			expect(usageChunk?.usage?.cost).toBeCloseTo(cost(promptTokens, Math.ceil(text.length / 4), 0.000003, 0.000015), 15);
		});

		it('streams a 130k-character reply in small pieces', async () => {
			const { capture } = await stream('[[sim:len=130000]] long');
			expect(textOf(capture)).toHaveLength(130_000);
			expect(contentChunks(capture).length).toBeGreaterThan(10_000);
		});

		it('reports "length" in the finish and usage chunks when max_tokens cuts the reply', async () => {
			const { capture } = await stream('cut me', { maxTokens: 3 });
			expect(textOf(capture)).toHaveLength(12);
			const chunks = chunksOf(capture);
			expect(chunks.at(-2)?.choices[0]?.finish_reason).toBe('length');
			expect(chunks.at(-1)?.choices[0]?.finish_reason).toBe('length');
			expect(chunks.at(-1)?.usage?.completion_tokens).toBe(3);
		});

		it('honours delay= between chunks', async () => {
			const { capture } = await stream('[[sim:len=24 delay=15]] paced');
			const content = contentChunks(capture).length;
			expect(content).toBeGreaterThanOrEqual(3);
			const times = capture.times;
			expect((times.at(-1) ?? 0) - (times[1] ?? 0)).toBeGreaterThanOrEqual(15 * (content - 1) - 10);
		});

		it('is readable by the official openai SDK, with the same text as the non-streamed reply', async () => {
			const client = new OpenAI({ baseURL: sim.url, apiKey: 'x', maxRetries: 0 });
			const messages = [{ role: 'user' as const, content: 'SDK check' }];
			const events = await client.chat.completions.create({ model: 'sim/tiny-price', messages, stream: true, seed: 99 });
			let text = '';
			let sawUsage = false;
			for await (const chunk of events) {
				text += chunk.choices[0]?.delta.content ?? '';
				if (chunk.usage) sawUsage = true;
			}
			const whole = await client.chat.completions.create({ model: 'sim/tiny-price', messages, seed: 99 });
			expect(text.length).toBeGreaterThan(100);
			expect(text).toBe(whole.choices[0]?.message.content);
			expect(sawUsage).toBe(true);
		});

		it('surfaces a mid-stream error chunk as an APIError in the openai SDK', async () => {
			const client = new OpenAI({ baseURL: sim.url, apiKey: 'x', maxRetries: 0 });
			const events = await client.chat.completions.create({
				model: 'sim/free',
				messages: [{ role: 'user', content: '[[sim:error-chunk=2]] sdk error' }],
				stream: true
			});
			const read = async (): Promise<void> => {
				for await (const chunk of events) void chunk;
			};
			await expect(read()).rejects.toBeInstanceOf(OpenAI.APIError);
		});
	});

	describe('GET /generation', () => {
		it('returns the billed record for a served generation, matching usage.cost', async () => {
			const { res, capture } = await stream('look me up', { model: 'sim/tiny-price' });
			const id = res.headers.get('x-generation-id') ?? '';
			const usage = chunksOf(capture).at(-1)?.usage;
			const lookup = await generation(id);
			expect(lookup.status).toBe(200);
			const { data } = (await lookup.json()) as { data: Record<string, unknown> };
			expect(data).toMatchObject({
				id,
				model: 'sim/tiny-price',
				total_cost: usage?.cost,
				tokens_prompt: usage?.prompt_tokens,
				tokens_completion: usage?.completion_tokens,
				native_tokens_prompt: usage?.prompt_tokens,
				native_tokens_completion: usage?.completion_tokens,
				streamed: true,
				cancelled: false,
				created_at: expect.stringMatching(/^\d{4}-\d\d-\d\dT/)
			});
			const record = sim.stats.generations.get(id);
			expect(record?.status).toBe('completed');
			expect(record?.cost).toBe(usage?.cost);
			expect(Number(record?.costUsd)).toBe(usage?.cost);
		});

		it('404s for unknown ids with the OpenRouter shape', async () => {
			const res = await generation('gen-unknown');
			expect(res.status).toBe(404);
			expect(await res.json()).toEqual({ error: { code: 404, message: 'Generation not found' } });
		});

		it('lookup-404=N answers 404 to the first N lookups, then the record', async () => {
			const res = await chat('[[sim:lookup-404=2]] retry my lookup', { stream: false });
			const id = res.headers.get('x-generation-id') ?? '';
			await res.arrayBuffer();
			expect((await generation(id)).status).toBe(404);
			expect((await generation(id)).status).toBe(404);
			expect((await generation(id)).status).toBe(200);
		});
	});

	describe('faults', () => {
		it.each([400, 401, 402, 403, 404, 408, 429, 500, 502, 503])('status=%i answers with the error JSON', async (code) => {
			const res = await chat(`[[sim:status=${code}]] fail please`);
			expect(res.status).toBe(code);
			const body = (await res.json()) as { error: { code: number; message: string } };
			expect(body.error.code).toBe(code);
			expect(body.error.message.length).toBeGreaterThan(5);
			expect(res.headers.get('retry-after')).toBeNull();
		});

		it.each([429, 503])('status=%i with retry-after sets Retry-After (header form)', async (code) => {
			const res = await chat('retry later', { fault: `status=${code},retry-after=2` });
			expect(res.status).toBe(code);
			expect(res.headers.get('retry-after')).toBe('2');
			await res.arrayBuffer();
		});

		it('non-streaming requests honour status too', async () => {
			const res = await chat('[[sim:status=502]] plain', { stream: false });
			expect(res.status).toBe(502);
			expect(await res.json()).toMatchObject({ error: { code: 502 } });
		});

		it('fail-times=K fails the first K requests of a key, then succeeds', async () => {
			const message = '[[sim:status=503 fail-times=2 key=ft-message]] eventually';
			expect((await chat(message, { stream: false })).status).toBe(503);
			expect((await chat(message, { stream: false })).status).toBe(503);
			const ok = await chat(message, { stream: false });
			expect(ok.status).toBe(200);
			expect(await ok.json()).toMatchObject({ object: 'chat.completion' });
			// Without key=, the message text (and header) is the key.
			expect((await chat('text keyed', { fault: 'status=429 fail-times=1' })).status).toBe(429);
			const second = await chat('text keyed', { fault: 'status=429 fail-times=1' });
			expect(second.status).toBe(200);
			const capture = await readSse(second);
			expect(dataOf(capture.events).at(-1)).toBe('[DONE]');
		});

		it('hang sends no headers until the client aborts, and the abort is counted', async () => {
			const abortedBefore = sim.stats.abortedByClient;
			const controller = new AbortController();
			const pending = chat('[[sim:hang]] are you there', { signal: controller.signal });
			const early = await Promise.race([
				pending.then(() => 'headers'),
				new Promise((resolve) => setTimeout(() => resolve('nothing'), 300))
			]);
			expect(early).toBe('nothing');
			expect(sim.stats.activeCompletions).toBeGreaterThanOrEqual(1);
			controller.abort();
			await expect(pending).rejects.toThrow();
			await waitFor(() => sim.stats.abortedByClient === abortedBefore + 1, 2_000, 'abort count');
		});

		it('hang applies to non-streaming requests too', async () => {
			const abortedBefore = sim.stats.abortedByClient;
			const controller = new AbortController();
			const pending = chat('[[sim:hang]] plain hang', { stream: false, signal: controller.signal });
			const early = await Promise.race([pending.then(() => 'headers'), new Promise((r) => setTimeout(() => r('nothing'), 200))]);
			expect(early).toBe('nothing');
			controller.abort();
			await expect(pending).rejects.toThrow();
			await waitFor(() => sim.stats.abortedByClient === abortedBefore + 1, 2_000, 'abort count');
		});

		it('stall-after=N sends N chunks then nothing; the abort bills what was sent', async () => {
			const abortedBefore = sim.stats.abortedByClient;
			const controller = new AbortController();
			const res = await chat('[[sim:stall-after=3]] stall', { model: 'sim/sonnet-like', signal: controller.signal });
			const id = res.headers.get('x-generation-id') ?? '';
			const capture = await readSse(res, { idleMs: 300, cancelOnStop: false });
			expect(capture.end).toBe('idle');
			const sent = contentChunks(capture);
			expect(sent).toHaveLength(3);
			expect(sim.stats.generations.get(id)?.status).toBe('running');
			expect((await generation(id)).status).toBe(404);
			controller.abort();
			await waitFor(() => sim.stats.generations.get(id)?.status !== 'running', 2_000, 'the generation to settle');
			expect(sim.stats.abortedByClient).toBe(abortedBefore + 1);
			const record = sim.stats.generations.get(id);
			const sentChars = textOf(capture).length;
			expect(record).toMatchObject({ status: 'aborted', sentChars, completionTokens: Math.ceil(sentChars / 4) });
			const lookup = (await (await generation(id)).json()) as { data: { cancelled: boolean; total_cost: number; tokens_completion: number } };
			expect(lookup.data).toMatchObject({ cancelled: true, total_cost: record?.cost, tokens_completion: Math.ceil(sentChars / 4) });
			expect(record?.cost).toBeGreaterThan(0);
		});

		it('error-chunk=N sends N chunks, then an error chunk with finish_reason "error", then ends', async () => {
			const { capture } = await stream('[[sim:error-chunk=2]] break midway');
			expect(capture.end).toBe('done');
			expect(contentChunks(capture)).toHaveLength(2);
			const data = dataOf(capture.events);
			expect(data).not.toContain('[DONE]');
			const last = JSON.parse(data.at(-1) ?? '{}') as Chunk;
			expect(last.error).toMatchObject({ code: 502, message: 'Upstream provider error' });
			expect(last.object).toBe('chat.completion.chunk');
			expect(last.choices[0]).toMatchObject({ index: 0, delta: { content: '' }, finish_reason: 'error' });
		});

		it('error-chunk=0 sends the error chunk as the only data event', async () => {
			const { res, capture } = await stream('[[sim:error-chunk=0]] break at once');
			const data = dataOf(capture.events);
			expect(data).toHaveLength(1);
			const only = JSON.parse(data[0] ?? '{}') as Chunk;
			expect(only.id).toBe(res.headers.get('x-generation-id'));
			expect(only.error?.code).toBe(502);
			expect(only.choices[0]?.finish_reason).toBe('error');
		});

		it('reset-after=N resets the socket after N chunks, without [DONE]', async () => {
			const abortedBefore = sim.stats.abortedByClient;
			const res = await chat('[[sim:reset-after=3]] reset');
			const id = res.headers.get('x-generation-id') ?? '';
			const capture = await readSse(res);
			expect(capture.end).toBe('error');
			expect(contentChunks(capture)).toHaveLength(3);
			expect(dataOf(capture.events)).not.toContain('[DONE]');
			expect(sim.stats.generations.get(id)).toMatchObject({ status: 'failed', sentChars: textOf(capture).length });
			expect(sim.stats.abortedByClient).toBe(abortedBefore);
		});

		it('no-done finishes normally but closes without usage or [DONE]', async () => {
			const { capture } = await stream('[[sim:no-done]] quiet end');
			expect(capture.end).toBe('done');
			const data = dataOf(capture.events);
			expect(data).not.toContain('[DONE]');
			const chunks = chunksOf(capture);
			expect(chunks.at(-1)?.choices[0]?.finish_reason).toBe('stop');
			expect(chunks.some((chunk) => chunk.usage)).toBe(false);
			expect(textOf(capture)).toBe(await nonStreamText('quiet end'));
		});

		it('trickle=MS sends one character per chunk, MS apart', async () => {
			const { capture } = await stream('[[sim:trickle=60 len=5]] slow');
			const content = contentChunks(capture);
			expect(content.map((chunk) => chunk.choices[0]?.delta.content)).toEqual(textOf(capture).split(''));
			expect(content).toHaveLength(5);
			const dataTimes = capture.events.flatMap((event, index) => (event.type === 'data' ? [capture.times[index] ?? 0] : []));
			// The span, not each gap: a busy client may read two spaced chunks in one go.
			expect((dataTimes[4] ?? 0) - (dataTimes[0] ?? 0)).toBeGreaterThanOrEqual(200);
		});

		it('trickle defaults to 200 ms per character', async () => {
			const res = await chat('[[sim:trickle]] default slow');
			const capture = await readSse(res, { until: (_event, c) => contentChunks(c).length === 3 });
			expect(capture.end).toBe('stopped');
			const dataTimes = capture.events.flatMap((event, index) => (event.type === 'data' ? [capture.times[index] ?? 0] : []));
			expect((dataTimes[2] ?? 0) - (dataTimes[0] ?? 0)).toBeGreaterThanOrEqual(300);
		});

		it('crlf frames every line with CRLF', async () => {
			const { capture } = await stream('[[sim:crlf]] windows');
			expect(capture.raw).toContain(': OPENROUTER PROCESSING\r\n\r\n');
			expect(capture.raw).toContain('\r\n\r\ndata: [DONE]\r\n\r\n');
			expect(capture.raw.replace(/\r\n/g, '')).not.toMatch(/[\r\n]/);
			expect(textOf(capture)).toBe(await nonStreamText('windows'));
			expect(dataOf(capture.events).at(-1)).toBe('[DONE]');
		});

		it('split cuts events (mid-JSON, mid-UTF-8) across many small writes', async () => {
			const { capture } = await stream('[[sim:split len=300]] shards');
			const events = dataOf(capture.events).length;
			expect(capture.reads).toBeGreaterThan(events * 2);
			expect(textOf(capture)).toBe(await nonStreamText('[[sim:len=300]] shards'));
			expect(dataOf(capture.events).at(-1)).toBe('[DONE]');
		});

		it('split and crlf together still parse', async () => {
			const { capture } = await stream('[[sim:split crlf len=200]] both');
			expect(textOf(capture)).toBe(await nonStreamText('[[sim:len=200]] both'));
		});

		it('malformed sends one chunk that is not valid JSON, and carries on', async () => {
			const { capture } = await stream('[[sim:malformed=1]] garbled');
			const data = dataOf(capture.events);
			const broken = data.filter((payload) => {
				try {
					JSON.parse(payload);
					return false;
				} catch {
					return payload !== '[DONE]';
				}
			});
			expect(broken).toHaveLength(1);
			expect(data.indexOf(broken[0] ?? '')).toBe(1);
			expect(data.at(-1)).toBe('[DONE]');
			expect(textOf(capture)).toBe(await nonStreamText('garbled'));
		});

		it('big-event=1000000 sends one content chunk of a megabyte', async () => {
			const { capture } = await stream('[[sim:big-event=1000000]] huge');
			const sizes = contentChunks(capture).map((chunk) => chunk.choices[0]?.delta.content?.length ?? 0);
			expect(sizes[0]).toBe(1_000_000);
			expect(Math.max(...sizes.slice(1))).toBeLessThan(100);
			expect(dataOf(capture.events).at(-1)).toBe('[DONE]');
		});

		it('keepalive=N sends N processing comments before the first token', async () => {
			const { capture } = await stream('[[sim:keepalive=5]] ping');
			const firstData = capture.events.findIndex((event) => event.type === 'data');
			expect(commentsOf(capture.events.slice(0, firstData))).toEqual(Array(5).fill('OPENROUTER PROCESSING'));
			const none = await stream('[[sim:keepalive=0]] no ping');
			expect(none.capture.events[0]?.type).toBe('data');
		});

		it('first-token-delay=MS holds the first token while comments keep flowing', async () => {
			const { capture } = await stream('[[sim:first-token-delay=400 keepalive-interval=50]] think');
			const firstData = capture.events.findIndex((event) => event.type === 'data');
			expect(capture.times[firstData]).toBeGreaterThanOrEqual(380);
			expect(commentsOf(capture.events.slice(0, firstData)).length).toBeGreaterThanOrEqual(4);
			expect(dataOf(capture.events).at(-1)).toBe('[DONE]');
		});

		it('first-token-delay also delays a non-streaming reply', async () => {
			const started = performance.now();
			const text = await nonStreamText('[[sim:first-token-delay=200]] wait');
			expect(performance.now() - started).toBeGreaterThanOrEqual(190);
			expect(text).toBe(await nonStreamText('wait'));
		});
	});

	describe('stats and lifecycle', () => {
		it('counts requests by path and open connections', async () => {
			const before = sim.stats.requests['/api/v1/models'] ?? 0;
			await (await fetch(`${sim.url}/models`)).arrayBuffer();
			expect(sim.stats.requests['/api/v1/models']).toBe(before + 1);
			expect(sim.stats.requests['/api/v1/chat/completions']).toBeGreaterThan(10);
			expect(sim.stats.openConnections).toBeGreaterThanOrEqual(1);
			expect(Number(sim.stats.totalBilledUsd())).toBeGreaterThan(0);
		});

		it('close() ends hung connections so nothing keeps the process alive', async () => {
			const other = await startSimulator({});
			const pending = fetch(`${other.url}/chat/completions`, {
				method: 'POST',
				body: JSON.stringify({ model: 'sim/free', messages: [{ role: 'user', content: '[[sim:hang]]' }], stream: true })
			});
			await waitFor(() => other.stats.activeCompletions === 1, 2_000, 'hung request');
			const started = performance.now();
			await other.close();
			expect(performance.now() - started).toBeLessThan(1_000);
			await expect(pending).rejects.toThrow();
			await waitFor(() => other.stats.openConnections === 0, 1_000, 'sockets to close');
			expect(other.stats.abortedByClient).toBe(0);
		});
	});

	describe('test SSE parser', () => {
		it('handles CRLF split across reads, multi-line data and comments', () => {
			const parser = new SseParser();
			const events = [...parser.push(': hi\r'), ...parser.push('\n\r\ndata: a\r'), ...parser.push('\ndata: b\n\n'), ...parser.end()];
			expect(events).toEqual([
				{ type: 'comment', text: 'hi' },
				{ type: 'data', data: 'a\nb' }
			]);
		});
	});
});
