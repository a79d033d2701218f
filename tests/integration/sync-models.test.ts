import { and, eq } from 'drizzle-orm';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createApiToken } from '../../server/auth/api-tokens';
import { generations, ledgerEntries } from '../../server/db/schema';
import { startTestApp, type TestApp } from '../helpers/app';
import { eventually, id, m, merge, signUp, spyOnUpstream, type SyncClient } from '../helpers/sync-client';

describe('sync: which model answers, and replies started elsewhere', () => {
	let app: TestApp;
	let spy: ReturnType<typeof spyOnUpstream> | undefined;

	beforeAll(async () => {
		app = await startTestApp();
	});
	afterAll(() => app.stop());
	afterEach(() => spy?.restore());

	const ended = (generationId: string) =>
		eventually(() => {
			const row = app.services.db.select().from(generations).where(eq(generations.id, generationId)).get();
			return row && ['done', 'failed', 'cancelled'].includes(row.state) ? row : undefined;
		}, 20_000, `reply ${generationId} to end`);

	async function ask(client: SyncClient, conv: string, content: string, extra: { model?: string; fallbackModels?: string[] } = {}) {
		const [question, answer, generation] = [id('msg'), id('msg'), id('gen')];
		await client.push(m.message(question, conv, null, content), m.reply({ id: generation, conversationId: conv, userMessageId: question, assistantMessageId: answer, ...extra }));
		return { question, answer, generation };
	}

	it('a reply uses the conversation’s model and fallbacks as set, unless the request names its own', async () => {
		spy = spyOnUpstream(app);
		const ada = await signUp(app);
		const conv = id('conv');
		await ada.push(
			m.createConversation(conv),
			{ name: 'conversation.setModel', args: { id: conv, model: 'sim/sonnet-like' } },
			{ name: 'conversation.setFallbackModels', args: { id: conv, models: ['sim/gpt-like'] } }
		);
		const first = await ask(ada, conv, 'Which model? [[sim:len=20]]');
		expect((await ended(first.generation)).models).toEqual(['sim/sonnet-like', 'sim/gpt-like']);
		expect(spy.requests[0]?.models).toEqual(['sim/sonnet-like', 'sim/gpt-like']);

		const second = await ask(ada, conv, 'And now? [[sim:len=20]]', { model: 'sim/tiny-price', fallbackModels: [] });
		expect(await ended(second.generation)).toMatchObject({ state: 'done', models: ['sim/tiny-price'], model: 'sim/tiny-price' });
		const pulled = merge(await ada.pullAll(0));
		expect(pulled.generations.find((g) => g.id === second.generation)).toMatchObject({ models: ['sim/tiny-price'], model: 'sim/tiny-price' });
		expect(pulled.messages.find((x) => x.id === second.answer)).toMatchObject({ model: 'sim/tiny-price', status: 'complete' });
	});

	it('a reply with a model the catalog does not know fails with a reason a person can read, and calls no provider', async () => {
		spy = spyOnUpstream(app);
		const ada = await signUp(app);
		const conv = id('conv');
		await ada.push(m.createConversation(conv, { model: 'sim/no-such-model' }));
		const asked = await ask(ada, conv, 'Hello?');
		const row = await ended(asked.generation);
		expect(row.state).toBe('failed');
		expect(row.failureReason).toMatch(/sim\/no-such-model/);
		expect(spy.requests).toEqual([]);
		const pulled = merge(await ada.pullAll(0));
		expect(pulled.messages.find((x) => x.id === asked.answer)).toMatchObject({ status: 'failed' });
		expect(pulled.generations.find((g) => g.id === asked.generation)).toMatchObject({ state: 'failed', failureReason: row.failureReason });
	});

	it('a reply started with generation.start (for scripts) syncs to devices like a pushed one', async () => {
		const ada = await signUp(app);
		const device = ada.sibling();
		await device.sync();
		const res = await ada.http.mutation('generation.start', { content: 'From a script\n[[sim:len=30]]' });
		expect(res.status).toBe(200);
		const started = res.json.result?.data as { conversationId: string; userMessageId: string; generationId: string; assistantMessageId: string };
		await ended(started.generationId);
		const pulled = await eventually(async () => {
			const delta = merge(await device.pullAll(device.cursor));
			return delta.generations.some((g) => g.id === started.generationId && g.state === 'done') ? merge(await device.pullAll(0)) : undefined;
		}, 10_000, 'the finished reply to sync');
		expect(pulled.conversations).toEqual([expect.objectContaining({ id: started.conversationId, title: 'From a script', activeLeafId: started.assistantMessageId })]);
		expect(pulled.messages.map((x) => [x.id, x.role, x.parentId])).toEqual([
			[started.userMessageId, 'user', null],
			[started.assistantMessageId, 'assistant', started.userMessageId]
		]);
	});

	it('a /v1 API call is not a synced reply: devices never see it', async () => {
		const ada = await signUp(app);
		const me = (await ada.http.query('auth.me')).json.result?.data as { id: string };
		const { token } = createApiToken(app.services.db, me.id);
		const before = await ada.pull(0);
		const res = await fetch(`${app.url}/v1/chat/completions`, {
			method: 'POST',
			headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
			body: JSON.stringify({ model: 'sim/echo-mini', messages: [{ role: 'user', content: 'API only [[sim:len=20]]' }] })
		});
		expect(res.status).toBe(200);
		await res.text();
		const api = await eventually(() => app.services.db.select().from(generations).where(and(eq(generations.userId, me.id), eq(generations.origin, 'api'))).get(), 10_000, 'the API call’s row');
		expect(app.services.db.select().from(ledgerEntries).where(eq(ledgerEntries.generationId, api.id)).all().length).toBeGreaterThan(0);
		const after = merge(await ada.pullAll(before.cursor));
		expect(after.generations).toEqual([]);
		expect(after.messages).toEqual([]);
		expect(api.version).toBe(0);
	});
});
