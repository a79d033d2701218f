import { eq } from 'drizzle-orm';
import OpenAI, { APIError } from 'openai';
import type { ChatCompletionChunk, ChatCompletionMessageParam, ChatCompletionTool } from 'openai/resources/chat/completions';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { parseUsd } from '../../src/lib/domain/money';
import { createUser } from '../../server/auth/users';
import { generations } from '../../server/db/schema';
import { IMAGE_PART_TOKENS } from '../../server/ledger/prompt-size';
import { startSimulator, type Simulator } from '../../server/simulator';
import { IMAGE_TOKENS } from '../../server/simulator/prompt-tokens';
import { runAdmin } from '../helpers/admin-cli';
import { startTestApp, type TestApp } from '../helpers/app';
import { startRecordingUpstream, type RecordingUpstream } from '../helpers/recording-upstream';
import { waitFor } from '../helpers/wait-for';

const model = 'sim/gpt-like';
const tools: ChatCompletionTool[] = [
	{
		type: 'function',
		function: {
			name: 'get_weather',
			description: 'Current weather in a city',
			parameters: { type: 'object', properties: { city: { type: 'string' }, unit: { type: 'string', enum: ['celsius', 'fahrenheit'] } }, required: ['city', 'unit'] }
		}
	},
	{ type: 'function', function: { name: 'get_time', parameters: { type: 'object', properties: { timezone: { type: 'string' } } } } }
];

describe('/v1 for agents: tool calls, structured output, developer role, images (official openai client)', () => {
	let sim: Simulator;
	let recorder: RecordingUpstream;
	let app: TestApp;
	let openai: OpenAI;

	beforeAll(async () => {
		sim = await startSimulator();
		recorder = await startRecordingUpstream(sim.url);
		app = await startTestApp({ UPSTREAM_BASE_URL: recorder.url, BREAKER_THRESHOLD: '1000' });
		await createUser(app.services.db, { username: 'agent', password: 'long password', isAdmin: false });
		const created = await runAdmin(`${app.dir}/phosphor.db`, ['token', 'create', 'agent']);
		openai = new OpenAI({ baseURL: `${app.url}/v1`, apiKey: created.stdout.trim(), maxRetries: 0, timeout: 15_000 });
	});
	afterAll(async () => {
		await app?.stop();
		await recorder?.close();
		await sim?.close();
	});

	/** The generation row of a reply, once its end state and settlement are written. */
	async function settledRow(upstreamId: string) {
		let row;
		await waitFor(
			() => {
				row = app.services.db.select().from(generations).where(eq(generations.upstreamId, upstreamId)).get();
				return row?.state === 'done' && row.costSource !== null;
			},
			5_000,
			'the generation to settle'
		);
		return row as unknown as typeof generations.$inferSelect;
	}

	it('a full tool-calling loop: streamed call with arguments split across chunks → tool result → final answer', async () => {
		const messages: ChatCompletionMessageParam[] = [
			{ role: 'developer', content: 'Use the tools.' },
			{ role: 'user', content: 'What is the weather in Lisbon? [[sim:tool=get_weather]]' }
		];
		const stream = openai.chat.completions.stream({ model, messages, tools, stream_options: { include_usage: true } });
		const chunks: ChatCompletionChunk[] = [];
		for await (const chunk of stream) chunks.push(chunk);
		const first = await stream.finalChatCompletion();

		const argumentPieces = chunks.flatMap((c) => c.choices[0]?.delta.tool_calls ?? []).filter((t) => t.function?.arguments);
		expect(argumentPieces.length).toBeGreaterThan(1);
		expect(chunks.find((c) => c.choices[0]?.finish_reason)?.choices[0]?.finish_reason).toBe('tool_calls');
		const choice = first.choices[0];
		expect(choice?.finish_reason).toBe('tool_calls');
		const call = choice?.message.tool_calls?.[0];
		if (call?.type !== 'function') throw new Error('expected a function tool call');
		expect(call.function.name).toBe('get_weather');
		const args = JSON.parse(call.function.arguments) as { city: string; unit: string };
		expect(args.city).toEqual(expect.any(String));
		expect(['celsius', 'fahrenheit']).toContain(args.unit);
		// The arguments arrive exactly as the simulator generated them, piece by piece.
		expect(argumentPieces.map((p) => p.function?.arguments).join('')).toBe(call.function.arguments);

		messages.push(choice?.message as ChatCompletionMessageParam, { role: 'tool', tool_call_id: call.id, content: '{"temperature":21,"sky":"clear"}' });
		const final = await openai.chat.completions.create({ model, messages, tools, stream: true });
		let text = '';
		let finish: string | null = null;
		for await (const chunk of final) {
			text += chunk.choices[0]?.delta.content ?? '';
			finish = chunk.choices[0]?.finish_reason ?? finish;
		}
		expect(finish).toBe('stop');
		expect(text).toBe('Tool results:\n- get_weather returned: {"temperature":21,"sky":"clear"}');

		// Upstream got the developer role, the tools, and the assistant's tool call and the tool result as sent.
		const second = recorder.chatBodies.at(-1) as { messages: ChatCompletionMessageParam[]; tools: unknown };
		expect(second.tools).toEqual(tools);
		expect(second.messages.map((m) => m.role)).toEqual(['developer', 'user', 'assistant', 'tool']);
		expect(second.messages[2]).toMatchObject({ role: 'assistant', tool_calls: [{ id: call.id, type: 'function', function: call.function }] });
		expect(second.messages[3]).toEqual({ role: 'tool', tool_call_id: call.id, content: '{"temperature":21,"sky":"clear"}' });
	});

	it('a non-streamed tool call carries message.tool_calls with content null; tool_choice naming a function is honoured', async () => {
		const completion = await openai.chat.completions.create({
			model,
			messages: [{ role: 'user', content: 'What time is it?' }],
			tools,
			tool_choice: { type: 'function', function: { name: 'get_time' } }
		});
		const choice = completion.choices[0];
		expect(choice?.finish_reason).toBe('tool_calls');
		expect(choice?.message.content).toBeNull();
		expect(choice?.message.tool_calls).toEqual([{ id: expect.stringMatching(/^call_/), type: 'function', function: { name: 'get_time', arguments: expect.stringMatching(/^\{"timezone":".+"\}$/) } }]);
		expect(recorder.chatBodies.at(-1)).toMatchObject({ tool_choice: { type: 'function', function: { name: 'get_time' } } });
	});

	it('json_schema with $defs and $refs (as zod and pydantic emit them) answers JSON that fits, and so do tool arguments', async () => {
		interface Step {
			title: string;
			substeps: Step[];
		}
		const Step: z.ZodType<Step> = z.object({
			title: z.string().min(10),
			get substeps() {
				return z.array(Step);
			}
		});
		const Place = z.object({ city: z.string(), country: z.string().length(2) });
		const Plan = z.object({ from: Place, to: Place, steps: z.array(Step).min(1) });
		const schema = z.toJSONSchema(Plan, { reused: 'ref' });
		const completion = await openai.chat.completions.create({
			model,
			messages: [{ role: 'user', content: 'Plan the trip.' }],
			response_format: { type: 'json_schema', json_schema: { name: 'plan', schema, strict: true } }
		});
		expect(Plan.safeParse(JSON.parse(completion.choices[0]?.message.content ?? '')).error).toBeUndefined();

		const planTool: ChatCompletionTool = { type: 'function', function: { name: 'save_plan', parameters: schema } };
		const call = await openai.chat.completions.create({ model, messages: [{ role: 'user', content: 'Save it [[sim:tool=save_plan]]' }], tools: [planTool] });
		const first = call.choices[0]?.message.tool_calls?.[0];
		expect(first?.type === 'function' && Plan.safeParse(JSON.parse(first.function.arguments)).error).toBeUndefined();
	});

	it('parallel tool calls stream with their own indexes and come back whole', async () => {
		const stream = openai.chat.completions.stream({ model, messages: [{ role: 'user', content: 'Both [[sim:tool=get_weather+get_time]]' }], tools });
		const final = await stream.finalChatCompletion();
		const calls = final.choices[0]?.message.tool_calls ?? [];
		expect(calls.map((c) => (c.type === 'function' ? c.function.name : c.type))).toEqual(['get_weather', 'get_time']);
		expect(new Set(calls.map((c) => c.id)).size).toBe(2);
	});

	it('JSON mode: json_object answers a JSON object; json_schema answers JSON that fits the schema', async () => {
		const object = await openai.chat.completions.create({ model, messages: [{ role: 'user', content: 'Reply in JSON.' }], response_format: { type: 'json_object' } });
		expect(JSON.parse(object.choices[0]?.message.content ?? '')).toEqual(expect.any(Object));

		const schema = {
			type: 'object',
			properties: { name: { type: 'string' }, age: { type: 'integer', minimum: 0, maximum: 120 }, tags: { type: 'array', items: { type: 'string' } } },
			required: ['name', 'age', 'tags'],
			additionalProperties: false
		};
		const stream = await openai.chat.completions.create({
			model,
			messages: [{ role: 'system', content: 'Extract the person.' }, { role: 'user', content: 'Ada, 36, mathematician.' }],
			response_format: { type: 'json_schema', json_schema: { name: 'person', schema, strict: true } },
			stream: true
		});
		let text = '';
		for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? '';
		const person = JSON.parse(text) as { name: string; age: number; tags: string[] };
		expect(person).toEqual({ name: expect.any(String), age: expect.any(Number), tags: expect.any(Array) });
		expect(Number.isInteger(person.age) && person.age >= 0 && person.age <= 120).toBe(true);
		expect(recorder.chatBodies.at(-1)).toMatchObject({ response_format: { type: 'json_schema', json_schema: { name: 'person', schema, strict: true } } });
	});

	it('forwards the sampling fields and OpenRouter routing exactly, and never overrides the stream settings Phosphor needs', async () => {
		await openai.chat.completions.create({
			model,
			messages: [{ role: 'user', content: 'hi' }],
			stop: ['\n\n'],
			top_p: 0.5,
			frequency_penalty: 0.1,
			presence_penalty: 0.2,
			seed: 42,
			user: 'editor-plugin',
			logprobs: true,
			top_logprobs: 2,
			// OpenRouter's fields, which the official client passes through untyped.
			...({ reasoning: { effort: 'low' }, provider: { order: ['openai'], allow_fallbacks: false }, transforms: ['middle-out'] } as object)
		});
		expect(recorder.chatBodies.at(-1)).toMatchObject({
			model,
			stream: true,
			stream_options: { include_usage: true },
			stop: ['\n\n'],
			top_p: 0.5,
			frequency_penalty: 0.1,
			presence_penalty: 0.2,
			seed: 42,
			user: 'editor-plugin',
			logprobs: true,
			top_logprobs: 2,
			reasoning: { effort: 'low' },
			provider: { order: ['openai'], allow_fallbacks: false },
			transforms: ['middle-out']
		});
	});

	it('image parts (data: and https URLs) go upstream as sent; the reservation counts them on the high side, settlement is the provider cost', async () => {
		const dataUrl = `data:image/png;base64,${Buffer.alloc(300_000, 7).toString('base64')}`;
		const completion = await openai.chat.completions.create({
			model,
			messages: [
				{
					role: 'user',
					content: [
						{ type: 'text', text: 'Compare these.' },
						{ type: 'image_url', image_url: { url: dataUrl, detail: 'high' } },
						{ type: 'image_url', image_url: { url: 'https://example.com/cat.png' } }
					]
				}
			]
		});
		const sent = recorder.chatBodies.at(-1) as { messages: [{ content: unknown }] };
		expect(sent.messages[0].content).toEqual([
			{ type: 'text', text: 'Compare these.' },
			{ type: 'image_url', image_url: { url: dataUrl, detail: 'high' } },
			{ type: 'image_url', image_url: { url: 'https://example.com/cat.png' } }
		]);
		expect(completion.usage?.prompt_tokens).toBe(Math.ceil('Compare these.'.length / 4) + 2 * IMAGE_TOKENS);
		const row = await settledRow(completion.id);
		expect(row.promptTokensEstimate).toBeGreaterThanOrEqual(2 * IMAGE_PART_TOKENS);
		expect(row.promptTokensEstimate).toBeLessThan(2 * IMAGE_PART_TOKENS + 100);
		expect(row.costSource).toBe('provider');
		expect(row.costNanoUsd).toBe(parseUsd(sim.stats.generations.get(completion.id)?.cost ?? -1));
	});

	it('a tool loop is metered like any call: tools and tool results are in the estimate, above what the provider counted', async () => {
		const bigResult = JSON.stringify({ rows: Array.from({ length: 200 }, (_, i) => ({ id: i, city: 'Lisbon', temperature: 21 })) });
		const completion = await openai.chat.completions.create({
			model,
			messages: [
				{ role: 'user', content: 'Weather? [[sim:tool=get_weather]]' },
				{ role: 'assistant', content: null, tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Lisbon"}' } }] },
				{ role: 'tool', tool_call_id: 'call_1', content: bigResult }
			],
			tools
		});
		const row = await settledRow(completion.id);
		expect(row.tokensIn).toBe(completion.usage?.prompt_tokens);
		expect(row.tokensIn).toBeGreaterThan(bigResult.length / 4);
		expect(row.promptTokensEstimate).toBeGreaterThan(row.tokensIn ?? Infinity);
		expect(row.costNanoUsd).toBe(parseUsd(sim.stats.generations.get(completion.id)?.cost ?? -1));
	});

	it('reasoning, refusal and logprobs pass through, streamed chunk by chunk and in a non-streamed reply', async () => {
		type Delta = ChatCompletionChunk.Choice.Delta & { reasoning?: string };
		const stream = await openai.chat.completions.create({ model, messages: [{ role: 'user', content: 'Think first [[sim:reasoning len=40]]' }], logprobs: true, top_logprobs: 2, stream: true });
		const chunks: ChatCompletionChunk[] = [];
		for await (const chunk of stream) chunks.push(chunk);
		const reasoning = chunks.map((c) => (c.choices[0]?.delta as Delta | undefined)?.reasoning ?? '').join('');
		expect(reasoning).toMatch(/^The user asks: "Think first"/);
		const withText = chunks.filter((c) => c.choices[0]?.delta.content);
		expect(withText.length).toBeGreaterThan(1);
		for (const chunk of withText) {
			const logprob = chunk.choices[0]?.logprobs?.content?.[0];
			expect(logprob?.token).toBe(chunk.choices[0]?.delta.content);
			expect(logprob?.top_logprobs).toHaveLength(2);
		}

		const whole = await openai.chat.completions.create({ model, messages: [{ role: 'user', content: 'Think first [[sim:reasoning len=40]]' }], logprobs: true });
		const message = whole.choices[0]?.message as { content: string; reasoning?: string };
		expect(message.reasoning).toBe(reasoning);
		expect(message.content).toHaveLength(40);
		expect(whole.choices[0]?.logprobs?.content?.map((t) => t.token).join('')).toBe(message.content);

		const refused = await openai.chat.completions.create({ model, messages: [{ role: 'user', content: 'Do something bad [[sim:refusal len=30]]' }] });
		expect(refused.choices[0]?.message.content).toBeNull();
		expect(refused.choices[0]?.message.refusal).toHaveLength(30);
		const refusedStream = await openai.chat.completions.create({ model, messages: [{ role: 'user', content: 'Do something bad [[sim:refusal len=30]]' }], stream: true });
		let refusal = '';
		for await (const chunk of refusedStream) refusal += chunk.choices[0]?.delta.refusal ?? '';
		expect(refusal).toBe(refused.choices[0]?.message.refusal);
	});

	it('400s name the bad field through the client: n ≠ 1, an unknown tool_choice, a bad image URL, an unsupported field', async () => {
		const failure = async (body: Record<string, unknown>) => {
			const error = await openai.chat.completions.create({ model, messages: [{ role: 'user', content: 'hi' }], ...body }).catch((e: unknown) => e);
			expect(error).toBeInstanceOf(APIError);
			expect((error as APIError).status).toBe(400);
			return error as APIError;
		};
		expect((await failure({ n: 2 })).param).toBe('n');
		expect((await failure({ tools, tool_choice: { type: 'function', function: { name: 'launch' } } })).param).toBe('tool_choice.function.name');
		expect((await failure({ messages: [{ role: 'user', content: [{ type: 'image_url', image_url: { url: 'http://10.0.0.1/x.png' } }] }] })).param).toBe(
			'messages.0.content.0.image_url.url'
		);
		const unsupported = await failure({ audio: { voice: 'alloy', format: 'mp3' } });
		expect(unsupported.param).toBe('audio');
		expect(unsupported.code).toBe('unsupported_parameter');
	});

	it('a reasoning budget at or above what the model may produce is a 400 before any upstream call, even without max_tokens', async () => {
		const sent = recorder.chatBodies.length;
		// sim/gpt-like produces at most 16,384 tokens; with no max_tokens that is the call's cap.
		const error = await openai.chat.completions.create({ model, messages: [{ role: 'user', content: 'hi' }], ...({ reasoning: { max_tokens: 16_384 } } as object) }).catch((e: unknown) => e);
		expect(error).toBeInstanceOf(APIError);
		expect((error as APIError).status).toBe(400);
		expect((error as APIError).param).toBe('reasoning.max_tokens');
		expect((error as APIError).message).toMatch(/less than the 16384 tokens this call may produce/);
		expect(recorder.chatBodies.length).toBe(sent);
		await openai.chat.completions.create({ model, messages: [{ role: 'user', content: 'hi' }], ...({ reasoning: { max_tokens: 16_383 } } as object) });
		expect(recorder.chatBodies.at(-1)).toMatchObject({ reasoning: { max_tokens: 16_383 }, max_tokens: 16_384 });
	});
});
