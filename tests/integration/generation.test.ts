import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createUser } from '../../server/auth/users';
import { generations, messages } from '../../server/db/schema';
import { setupCodeFrom, startTestApp, type TestApp } from '../helpers/app';
import { subscribe } from '../helpers/trpc-subscription';
import { TrpcHttp } from '../helpers/trpc-http';

interface Started {
	generationId: string;
	conversationId: string;
	assistantMessageId: string;
}

type ReplyEvent =
	| { type: 'delta'; text: string }
	| { type: 'model'; model: string }
	| { type: 'done' | 'failed' | 'cancelled'; reason?: string; costUsd?: number | null };

describe('first streamed reply (generation.start + generation.attach over SSE)', () => {
	let app: TestApp;
	let ada: TrpcHttp;

	beforeAll(async () => {
		app = await startTestApp();
		ada = new TrpcHttp(app.url);
		await ada.mutation('auth.setup', { setupCode: setupCodeFrom(app.logs), username: 'ada', password: 'long password' });
	});
	afterAll(() => app.stop());

	const cookie = (client: TrpcHttp) => ({ cookie: [...client.cookies].map(([k, v]) => `${k}=${v}`).join('; ') });

	async function collect(client: TrpcHttp, input: Record<string, unknown>) {
		const events: Array<{ id: string | null; data: ReplyEvent }> = [];
		for await (const e of subscribe(app.url, 'generation.attach', input, cookie(client))) {
			if (e.id === null) continue; // connection and ping frames
			events.push({ id: e.id, data: e.data as ReplyEvent });
			if (['done', 'failed', 'cancelled'].includes((e.data as ReplyEvent).type)) break;
		}
		return events;
	}

	it('streams deltas from the simulator through the server, then a terminal event with cost', async () => {
		const started = (await ada.mutation('generation.start', { content: 'Hello there [[sim:len=2000]]' })).json.result?.data as Started;
		const events = await collect(ada, { generationId: started.generationId });
		const deltas = events.filter((e) => e.data.type === 'delta');
		expect(deltas.length).toBeGreaterThan(10);
		expect(events.map((e) => e.id)).toEqual(events.map((_, i) => String(i)));
		const last = events.at(-1)?.data;
		expect(last?.type).toBe('done');
		expect(typeof (last as { costUsd: unknown }).costUsd).toBe('number');

		const text = deltas.map((e) => (e.data as { text: string }).text).join('');
		expect(text.length).toBeGreaterThan(1500);
		const stored = app.services.db.select().from(messages).where(eq(messages.id, started.assistantMessageId)).get();
		expect(stored).toMatchObject({ content: text, status: 'complete', role: 'assistant' });
	});

	it('replays from lastEventId with no gap and no duplicate', async () => {
		const started = (await ada.mutation('generation.start', { content: 'Resume me [[sim:len=1500]]' })).json.result?.data as Started;
		const all = await collect(ada, { generationId: started.generationId });
		const tail = await collect(ada, { generationId: started.generationId, lastEventId: '4' });
		expect(tail).toEqual(all.slice(5));
	});

	it('resumes a dropped live stream from lastEventId: the text matches byte for byte', async () => {
		const started = (await ada.mutation('generation.start', { content: 'Long one [[sim:len=4000 delay=2]]' })).json.result?.data as Started;
		// First connection: read k events of a stream still in progress, then drop it.
		const dropped = new AbortController();
		const firstPart: Array<{ id: string; data: ReplyEvent }> = [];
		for await (const e of subscribe(app.url, 'generation.attach', { generationId: started.generationId }, cookie(ada), dropped.signal)) {
			if (e.id === null) continue;
			firstPart.push({ id: e.id, data: e.data as ReplyEvent });
			if (firstPart.length === 25) break;
		}
		dropped.abort();
		const lastEventId = firstPart.at(-1)?.id as string;
		const rest = await collect(ada, { generationId: started.generationId, lastEventId });
		const all = [...firstPart, ...rest];
		expect(all.map((e) => e.id)).toEqual(all.map((_, i) => String(i)));
		expect(all.at(-1)?.data.type).toBe('done');
		const text = all.map((e) => (e.data.type === 'delta' ? e.data.text : '')).join('');
		const stored = app.services.db.select().from(messages).where(eq(messages.id, started.assistantMessageId)).get();
		expect(Buffer.from(text).equals(Buffer.from(stored?.content ?? ''))).toBe(true);
		expect(text).toHaveLength(4000);
	});

	it('lets several clients watch one generation at once, each seeing all of it', async () => {
		const started = (await ada.mutation('generation.start', { content: 'Shared [[sim:len=1500 delay=1]]' })).json.result?.data as Started;
		const [a, b, c] = await Promise.all([1, 2, 3].map(() => collect(ada, { generationId: started.generationId })));
		expect(b).toEqual(a);
		expect(c).toEqual(a);
		expect(a?.at(-1)?.data.type).toBe('done');
	});

	it('records the generation row through its states, once terminal', async () => {
		const started = (await ada.mutation('generation.start', { content: 'Row [[sim:len=300]]' })).json.result?.data as Started;
		await collect(ada, { generationId: started.generationId });
		const row = app.services.db.select().from(generations).where(eq(generations.id, started.generationId)).get();
		expect(row).toMatchObject({
			state: 'done',
			model: 'sim/echo-mini',
			upstreamId: expect.stringMatching(/^gen-/),
			failureReason: null,
			tokensOut: expect.any(Number),
			costNanoUsd: expect.any(Number)
		});
		expect(row?.finishedAt).toBeGreaterThanOrEqual(row?.firstTokenAt ?? Infinity);
	});

	it('reports an upstream failure as a terminal event a person can read', async () => {
		const started = (await ada.mutation('generation.start', { content: 'boom [[sim:status=503]]' })).json.result?.data as Started;
		const events = await collect(ada, { generationId: started.generationId });
		expect(events.at(-1)?.data).toMatchObject({ type: 'failed', reason: expect.stringMatching(/503/) });
	});

	it('cancel stops the reply and keeps the partial text', async () => {
		const started = (await ada.mutation('generation.start', { content: 'slow [[sim:trickle=50]]' })).json.result?.data as Started;
		await new Promise((r) => setTimeout(r, 300));
		expect((await ada.mutation('generation.cancel', { generationId: started.generationId })).status).toBe(200);
		const events = await collect(ada, { generationId: started.generationId });
		expect(events.at(-1)?.data.type).toBe('cancelled');
		const stored = app.services.db.select().from(messages).where(eq(messages.id, started.assistantMessageId)).get();
		expect(stored?.status).toBe('cancelled');
		expect(stored?.content).toBe(events.filter((e) => e.data.type === 'delta').map((e) => (e.data as { text: string }).text).join(''));
	});

	it("does not let another user attach to or cancel someone else's generation", async () => {
		const started = (await ada.mutation('generation.start', { content: 'mine' })).json.result?.data as Started;
		const eve = new TrpcHttp(app.url);
		await createUser(app.services.db, { username: 'eve', password: 'eve password', isAdmin: false });
		await eve.mutation('auth.login', { username: 'eve', password: 'eve password' });
		await expect(collect(eve, { generationId: started.generationId })).rejects.toThrow();
		expect((await eve.mutation('generation.cancel', { generationId: started.generationId })).status).toBe(404);
		expect((await eve.mutation('generation.start', { content: 'x', conversationId: started.conversationId })).status).toBe(404);
	});

	it('rejects an empty message with the field named', async () => {
		const res = await ada.mutation('generation.start', { content: '   ' });
		expect(res.status).toBe(400);
		expect(res.json.error?.message).toMatch(/content/);
	});
});
