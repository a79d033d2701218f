import { createOpenAICompatible } from '@ai-sdk/openai-compatible';
import { generateText, stepCountIs, streamText, tool } from 'ai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createUser } from '../../server/auth/users';
import { startSimulator, type Simulator } from '../../server/simulator';
import { runAdmin } from '../helpers/admin-cli';
import { startTestApp, type TestApp } from '../helpers/app';

/** An agent framework on /v1: the Vercel AI SDK with its OpenAI-compatible provider, tools run by the SDK. */
describe('/v1 with the Vercel AI SDK (createOpenAICompatible)', () => {
	let sim: Simulator;
	let app: TestApp;
	let phosphor: ReturnType<typeof createOpenAICompatible>;

	beforeAll(async () => {
		sim = await startSimulator();
		app = await startTestApp({ UPSTREAM_BASE_URL: sim.url, BREAKER_THRESHOLD: '1000' });
		await createUser(app.services.db, { username: 'sdk', password: 'long password', isAdmin: false });
		const created = await runAdmin(`${app.dir}/phosphor.db`, ['token', 'create', 'sdk']);
		phosphor = createOpenAICompatible({ name: 'phosphor', baseURL: `${app.url}/v1`, apiKey: created.stdout.trim(), includeUsage: true });
	});
	afterAll(async () => {
		await app?.stop();
		await sim?.close();
	});

	const weatherTool = (calls: { city: string }[]) =>
		tool({
			description: 'Current weather in a city',
			inputSchema: z.object({ city: z.string() }),
			execute: async ({ city }) => {
				calls.push({ city });
				return { city, temperature: 21, sky: 'clear' };
			}
		});

	it('generateText runs a tool call end to end: the model calls the tool, the SDK runs it, the model answers from its result', async () => {
		const calls: { city: string }[] = [];
		const result = await generateText({
			model: phosphor('sim/gpt-like'),
			tools: { get_weather: weatherTool(calls) },
			stopWhen: stepCountIs(3),
			maxRetries: 0,
			prompt: 'What is the weather in Lisbon? [[sim:tool=get_weather]]'
		});
		expect(result.steps).toHaveLength(2);
		expect(result.steps[0]?.finishReason).toBe('tool-calls');
		expect(result.steps[0]?.toolCalls.map((c) => c.toolName)).toEqual(['get_weather']);
		expect(calls).toHaveLength(1);
		expect(result.finishReason).toBe('stop');
		expect(result.text).toBe(`Tool results:\n- get_weather returned: ${JSON.stringify({ city: calls[0]?.city, temperature: 21, sky: 'clear' })}`);
		expect(result.totalUsage.inputTokens).toBeGreaterThan(0);
	});

	it('streamText does the same over streamed tool call deltas', async () => {
		const calls: { city: string }[] = [];
		const result = streamText({
			model: phosphor('sim/sonnet-like'),
			tools: { get_weather: weatherTool(calls) },
			stopWhen: stepCountIs(3),
			maxRetries: 0,
			instructions: 'Use the tools.',
			messages: [{ role: 'user', content: 'Weather in Osaka? [[sim:tool=get_weather]]' }]
		});
		let text = '';
		for await (const delta of result.textStream) text += delta;
		const steps = await result.steps;
		expect(steps).toHaveLength(2);
		expect(steps[0]?.toolCalls[0]?.input).toEqual({ city: calls[0]?.city });
		expect(text).toContain('get_weather returned: {"city"');
	});
});
