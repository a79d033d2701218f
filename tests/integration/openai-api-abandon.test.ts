import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiToken } from '../../server/auth/api-tokens';
import { createUser } from '../../server/auth/users';
import { startSimulator, type Simulator } from '../../server/simulator';
import { startTestApp, type TestApp } from '../helpers/app';
import { until } from '../helpers/orchestrator-rig';

/**
 * A provider bills for as long as its stream runs: when callers go away, every upstream request
 * must end at once. (Connections may stay open afterwards: the settlements' generation lookups
 * reuse a small keep-alive pool, idle sockets that cost nothing.)
 */
describe('/v1 callers that go away', () => {
	let sim: Simulator;
	let app: TestApp;
	let token: string;

	beforeAll(async () => {
		sim = await startSimulator({ port: 0 });
		app = await startTestApp({ UPSTREAM_BASE_URL: sim.url, BREAKER_THRESHOLD: '1000' });
		const user = await createUser(app.services.db, { username: 'leaver', password: 'long password', isAdmin: false });
		token = createApiToken(app.services.db, user.id).token;
	});
	afterAll(async () => {
		await app.stop();
		await sim.close();
	});

	it('20 streams abandoned at once: each upstream request is aborted within 1 s', async () => {
		const abortedBefore = sim.stats.abortedByClient;
		const callers = Array.from({ length: 20 }, () => new AbortController());
		const readers = await Promise.all(
			callers.map(async (controller, i) => {
				const res = await fetch(`${app.url}/v1/chat/completions`, {
					method: 'POST',
					signal: controller.signal,
					headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
					body: JSON.stringify({ model: 'sim/gpt-like', stream: true, messages: [{ role: 'user', content: `caller ${i} [[sim:trickle=20]]` }] })
				});
				expect(res.status).toBe(200);
				const reader = (res.body as ReadableStream<Uint8Array>).getReader();
				let text = '';
				while (!text.includes('"content":"')) text += new TextDecoder().decode((await reader.read()).value);
				return reader;
			})
		);
		for (const controller of callers) controller.abort();
		await Promise.allSettled(readers.map((r) => r.cancel()));

		expect(await until(() => sim.stats.abortedByClient >= abortedBefore + 20, 1_000)).toBeLessThan(1_000);
	});
});
