import { and, eq } from 'drizzle-orm';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { generations, ledgerEntries, messages } from '../../server/db/schema';
import type { GenerationRow, MessageRow } from '../../src/lib/domain/sync';
import { startTestApp, type TestApp } from '../helpers/app';
import { attach, eventually, id, m, merge, signUp, spyOnUpstream, textOf, type SyncClient } from '../helpers/sync-client';

const TERMINAL = ['done', 'failed', 'cancelled'];

describe('sync: replies requested by generation.request', () => {
	let app: TestApp;
	let spy: ReturnType<typeof spyOnUpstream>;

	beforeAll(async () => {
		app = await startTestApp();
	});
	afterAll(() => app.stop());
	afterEach(() => spy?.restore());

	/** What a fresh device sees of a reply: its generation row and its assistant message. */
	async function replyOf(client: SyncClient, generationId: string): Promise<{ generation?: GenerationRow; message?: MessageRow }> {
		const all = merge(await client.sibling().pullAll(0));
		const generation = all.generations.find((g) => g.id === generationId);
		return { generation, message: all.messages.find((x) => x.id === generation?.assistantMessageId) };
	}

	/** Polls pulls until the reply has ended, as a device without attach would. */
	async function finished(client: SyncClient, generationId: string) {
		return eventually(
			async () => {
				const reply = await replyOf(client, generationId);
				return reply.generation && TERMINAL.includes(reply.generation.state) && reply.message?.status !== 'streaming' ? reply : undefined;
			},
			20_000,
			`reply ${generationId} to end`
		);
	}

	/** A conversation with one user message, and the ids for a reply to it. */
	async function asked(client: SyncClient, content: string, conversation: Partial<Parameters<typeof m.createConversation>[1]> = {}) {
		const ids = { conv: id('conv'), question: id('msg'), answer: id('msg'), generation: id('gen') };
		await client.push(m.createConversation(ids.conv, conversation), m.message(ids.question, ids.conv, null, content));
		const request = m.reply({ id: ids.generation, conversationId: ids.conv, userMessageId: ids.question, assistantMessageId: ids.answer });
		return { ...ids, request };
	}

	it('the reply runs on the server and streams over generation.attach; the pull then shows it complete and done', async () => {
		const ada = await signUp(app);
		const q = await asked(ada, 'Tell me a story [[sim:len=600 delay=2]]');
		const res = await ada.push(q.request);
		expect(res.rejected).toEqual([]);
		// The push answers once the rows exist: an empty streaming message, a requested/running generation.
		const early = await replyOf(ada, q.generation);
		expect(early.message).toMatchObject({ id: q.answer, role: 'assistant', parentId: q.question, generationId: q.generation, status: 'streaming' });
		expect(early.generation).toMatchObject({ conversationId: q.conv, userMessageId: q.question, assistantMessageId: q.answer, models: ['sim/echo-mini'] });
		expect(['requested', 'running']).toContain(early.generation?.state);
		expect((await ada.sibling().pull(0)).conversations.find((c) => c.id === q.conv)?.activeLeafId).toBe(q.answer);

		const events = await attach(app, ada.http, q.generation);
		expect(events.at(-1)).toMatchObject({ type: 'done' });
		expect(events.filter((e) => e.type === 'delta').length).toBeGreaterThan(1);
		const text = textOf(events);
		expect(text).toHaveLength(600);

		const done = await finished(ada, q.generation);
		expect(done.message).toMatchObject({ status: 'complete', content: text, model: 'sim/echo-mini' });
		expect(done.generation).toMatchObject({ state: 'done', model: 'sim/echo-mini', failureReason: null, tokensOut: expect.any(Number), startedAt: expect.any(Number), finishedAt: expect.any(Number) });
	});

	it('the assistant message is versioned when created and when it ends, not per streamed chunk', async () => {
		const ada = await signUp(app);
		const q = await asked(ada, 'Slowly [[sim:len=40 trickle=50]]');
		const device = ada.sibling();
		await device.sync();
		await ada.push(q.request);
		const row = () => app.services.db.select({ version: messages.version, content: messages.content, status: messages.status }).from(messages).where(eq(messages.id, q.answer)).get();
		const created = row();
		expect(created).toMatchObject({ status: 'streaming', content: '' });

		// Watch the row in the database and through incremental pulls while the text grows.
		const whileStreaming: Array<{ version: number; length: number }> = [];
		const pulled: MessageRow[] = [];
		await eventually(
			async () => {
				const now = row();
				if (now?.status === 'streaming') whileStreaming.push({ version: now.version, length: now.content.length });
				pulled.push(...(await device.sync()).messages.filter((x) => x.id === q.answer));
				return pulled.some((x) => x.status === 'complete');
			},
			20_000,
			'the slow reply to end'
		);
		const lengths = new Set(whileStreaming.map((o) => o.length));
		expect(lengths.size).toBeGreaterThanOrEqual(3); // the text was written several times while streaming…
		expect(new Set(whileStreaming.map((o) => o.version))).toEqual(new Set([created?.version])); // …without a new version
		expect(pulled.map((x) => x.status)).toEqual(['streaming', 'complete']);
		expect(pulled[0]?.version).toBe(created?.version);
		expect(pulled[1]).toMatchObject({ content: expect.any(String) });
		expect(pulled[1]?.content).toHaveLength(40);
		expect(row()?.version).toBe(pulled[1]?.version);
	});

	it('a request pushed twice, or by a second device with its own mutation id, runs exactly once', async () => {
		spy = spyOnUpstream(app);
		const laptop = await signUp(app);
		const q = await asked(laptop, 'Only once [[sim:len=200 delay=2]]');
		const batch = [{ id: laptop.nextMutationId, name: q.request.name, args: q.request.args }];
		expect(await laptop.pushRaw(batch)).toEqual({ lastMutationId: 3, rejected: [] });
		// The response was lost: the laptop sends the same batch again.
		expect(await laptop.pushRaw(batch)).toEqual({ lastMutationId: 3, rejected: [] });
		// The phone had queued the same request (same reply id) under its own numbering.
		const phone = laptop.sibling();
		expect(await phone.push(q.request)).toEqual({ lastMutationId: 1, rejected: [] });

		await finished(laptop, q.generation);
		expect(await phone.push(q.request)).toEqual({ lastMutationId: 2, rejected: [] });
		expect(app.services.db.select().from(generations).where(eq(generations.conversationId, q.conv)).all()).toHaveLength(1);
		expect(app.services.db.select().from(messages).where(and(eq(messages.conversationId, q.conv), eq(messages.role, 'assistant'))).all()).toHaveLength(1);
		const reservations = app.services.db
			.select()
			.from(ledgerEntries)
			.where(and(eq(ledgerEntries.generationId, q.generation), eq(ledgerEntries.kind, 'reservation')))
			.all();
		expect(reservations).toHaveLength(1);
		expect(spy.requests.filter((r) => r.messages.some((t) => typeof t.content === 'string' && t.content.includes('Only once')))).toHaveLength(1);
	});

	it('the same request from two devices at the same moment runs once', async () => {
		const laptop = await signUp(app);
		const phone = laptop.sibling();
		const q = await asked(laptop, 'Both at once [[sim:len=50]]');
		const responses = await Promise.all([laptop.push(q.request), phone.push(q.request)]);
		expect(responses.map((r) => r.rejected)).toEqual([[], []]);
		await finished(laptop, q.generation);
		expect(app.services.db.select().from(generations).where(eq(generations.conversationId, q.conv)).all()).toHaveLength(1);
		expect(app.services.db.select().from(ledgerEntries).where(and(eq(ledgerEntries.generationId, q.generation), eq(ledgerEntries.kind, 'reservation'))).all()).toHaveLength(1);
	});

	it('the history sent upstream is the path from the root to the replied-to message, not every message of the conversation', async () => {
		const ada = await signUp(app);
		const q = await asked(ada, 'What is a fjord?');
		await ada.push(q.request);
		const first = await finished(ada, q.generation);
		const answer = first.message?.content ?? '';
		expect(answer).not.toBe('');

		// A follow-up, answered; then the follow-up edited (a sibling under the same answer).
		const [followUp, followUpAnswer, followUpGen, edit, editAnswer, editGen] = [id('msg'), id('msg'), id('gen'), id('msg'), id('msg'), id('gen')];
		await ada.push(
			m.message(followUp, q.conv, q.answer, 'Original follow-up'),
			m.reply({ id: followUpGen, conversationId: q.conv, userMessageId: followUp, assistantMessageId: followUpAnswer })
		);
		await finished(ada, followUpGen);
		spy = spyOnUpstream(app);
		await ada.push(
			m.message(edit, q.conv, q.answer, 'Edited follow-up [[sim:echo]]'),
			m.reply({ id: editGen, conversationId: q.conv, userMessageId: edit, assistantMessageId: editAnswer })
		);
		const reply = await finished(ada, editGen);

		expect(spy.requests).toHaveLength(1);
		expect(spy.requests[0]?.messages).toEqual([
			{ role: 'user', content: 'What is a fjord?' },
			{ role: 'assistant', content: answer },
			{ role: 'user', content: 'Edited follow-up [[sim:echo]]' }
		]);
		// The simulator saw the same last message: it echoed it back, directive removed.
		expect(reply.message?.content).toBe('Edited follow-up');
	});

	it('a failed reply on the path is left out of the history of the next one', async () => {
		const ada = await signUp(app);
		// A model of its own, so its failure opens no circuit that other tests would meet.
		const q = await asked(ada, 'This fails [[sim:status=400]]', { model: 'sim/gpt-like' });
		await ada.push(q.request);
		const failed = await finished(ada, q.generation);
		expect(failed.generation).toMatchObject({ state: 'failed', failureReason: expect.stringMatching(/\S/) });
		expect(failed.message?.status).toBe('failed');

		spy = spyOnUpstream(app);
		const [again, againAnswer, againGen] = [id('msg'), id('msg'), id('gen')];
		await ada.push(
			m.message(again, q.conv, q.answer, 'Try again'),
			m.reply({ id: againGen, conversationId: q.conv, userMessageId: again, assistantMessageId: againAnswer })
		);
		await finished(ada, againGen);
		expect(spy.requests[0]?.messages).toEqual([
			{ role: 'user', content: 'This fails [[sim:status=400]]' },
			{ role: 'user', content: 'Try again' }
		]);
	});

	it('generation.cancel stops a running reply: state cancelled, the partial text kept', async () => {
		const ada = await signUp(app);
		const q = await asked(ada, 'Go on and on [[sim:len=2000 trickle=10]]');
		await ada.push(q.request);
		let cancelled = false;
		const events = await attach(app, ada.http, q.generation, async (_event, all) => {
			if (!cancelled && all.filter((e) => e.type === 'delta').length >= 10) {
				cancelled = true;
				expect(await ada.push(m.cancel(q.generation))).toMatchObject({ rejected: [] });
			}
		});
		expect(events.at(-1)).toEqual({ type: 'cancelled' });
		const partial = textOf(events);
		expect(partial.length).toBeGreaterThanOrEqual(10);
		expect(partial.length).toBeLessThan(2000);

		const reply = await finished(ada, q.generation);
		expect(reply.generation).toMatchObject({ state: 'cancelled', finishedAt: expect.any(Number) });
		expect(reply.message).toMatchObject({ status: 'cancelled', content: partial });
	});

	it('the conversation’s system prompt is sent first, and its temperature and maxTokens reach the upstream request', async () => {
		spy = spyOnUpstream(app);
		const ada = await signUp(app);
		const q = await asked(ada, 'Ahoy [[sim:len=500]]', { systemPrompt: 'An old prompt' });
		await ada.push(
			{ name: 'conversation.setSystemPrompt', args: { id: q.conv, systemPrompt: 'You are a pirate.' } },
			{ name: 'conversation.setParameters', args: { id: q.conv, temperature: 0.3, maxTokens: 7 } },
			q.request
		);
		const reply = await finished(ada, q.generation);
		expect(spy.requests).toHaveLength(1);
		expect(spy.requests[0]).toMatchObject({
			messages: [
				{ role: 'system', content: 'You are a pirate.' },
				{ role: 'user', content: 'Ahoy [[sim:len=500]]' }
			],
			temperature: 0.3,
			maxTokens: 7
		});
		// The simulator honours max_tokens at four characters a token: the reply was cut there.
		expect(reply.message?.content).toHaveLength(28);

		// Parameters cleared: the model's defaults again, and the (unchanged) prompt still first.
		const [next, nextAnswer, nextGen] = [id('msg'), id('msg'), id('gen')];
		await ada.push(
			{ name: 'conversation.setParameters', args: { id: q.conv, temperature: null, maxTokens: null } },
			m.message(next, q.conv, q.answer, 'Again [[sim:len=500]]'),
			m.reply({ id: nextGen, conversationId: q.conv, userMessageId: next, assistantMessageId: nextAnswer })
		);
		const second = await finished(ada, nextGen);
		expect(spy.requests[1]?.temperature).toBeUndefined();
		expect(spy.requests[1]?.maxTokens).toBeGreaterThan(7);
		expect(spy.requests[1]?.messages[0]).toEqual({ role: 'system', content: 'You are a pirate.' });
		expect(second.message?.content).toHaveLength(500);
	});
});
