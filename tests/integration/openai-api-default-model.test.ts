import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiToken } from '../../server/auth/api-tokens';
import { createUser } from '../../server/auth/users';
import { startSimulator, type Simulator } from '../../server/simulator';
import { startTestApp, type TestApp } from '../helpers/app';

/** README, Configuration: DEFAULT_MODEL is the "model for requests that name none", /v1 included. */
describe('/v1 without a model', () => {
	let sim: Simulator;
	let app: TestApp;
	let token: string;

	beforeAll(async () => {
		sim = await startSimulator({ port: 0 });
		app = await startTestApp({ UPSTREAM_BASE_URL: sim.url, DEFAULT_MODEL: 'sim/gpt-like' });
		const user = await createUser(app.services.db, { username: 'ada', password: 'long password', isAdmin: false });
		token = createApiToken(app.services.db, user.id).token;
	});
	afterAll(async () => {
		await app.stop();
		await sim.close();
	});

	const post = (body: unknown) =>
		fetch(`${app.url}/v1/chat/completions`, {
			method: 'POST',
			headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
			body: JSON.stringify(body)
		});

	it('answers with DEFAULT_MODEL, streamed or not', async () => {
		const whole = await post({ messages: [{ role: 'user', content: 'hi [[sim:len=20]]' }] });
		expect(whole.status).toBe(200);
		expect(((await whole.json()) as { model: string }).model).toBe('sim/gpt-like');
		const openai = new OpenAI({ baseURL: `${app.url}/v1`, apiKey: token, maxRetries: 0 });
		// The SDK's types require a model; the body it sends here simply has none.
		const stream = await openai.chat.completions.create({ messages: [{ role: 'user', content: 'hi [[sim:len=20]]' }], stream: true } as unknown as OpenAI.ChatCompletionCreateParamsStreaming);
		const models = new Set<string>();
		for await (const chunk of stream) models.add(chunk.model);
		expect([...models]).toEqual(['sim/gpt-like']);
	});
});
