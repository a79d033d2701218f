import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generations, syncClients } from '../../server/db/schema';
import { startTestApp, type TestApp } from '../helpers/app';
import { eventually, id, m, merge, signUp, SyncHttpError, type SyncClient } from '../helpers/sync-client';

const MISSING_CONVERSATION = 'That conversation does not exist, or was deleted.';

describe('sync: one user can never read or change another user’s rows', () => {
	let app: TestApp;
	let ada: SyncClient;
	let bob: SyncClient;
	const ids = { conv: id('conv'), question: id('msg'), answer: id('msg'), generation: id('gen'), bobConv: id('conv'), bobMsg: id('msg') };

	beforeAll(async () => {
		app = await startTestApp();
		ada = await signUp(app, 'ada');
		bob = await signUp(app, 'bob');
		await ada.push(
			m.createConversation(ids.conv, { systemPrompt: 'Ada’s prompt' }),
			m.message(ids.question, ids.conv, null, 'Ada’s secret question [[sim:len=40]]'),
			m.reply({ id: ids.generation, conversationId: ids.conv, userMessageId: ids.question, assistantMessageId: ids.answer })
		);
		await bob.push(m.createConversation(ids.bobConv), m.message(ids.bobMsg, ids.bobConv, null, 'Bob’s own message'));
		// Ada's reply runs to its end and its cost is settled: her rows stop changing.
		await eventually(() => app.services.db.select().from(generations).where(eq(generations.id, ids.generation)).get()?.costSource != null, 15_000, 'ada’s reply to settle');
		await eventually(() => app.services.metering.pendingSettlements.size === 0, 15_000, 'settlements');
	});
	afterAll(() => app.stop());

	/** Everything Ada's devices can see (the cursor aside: it follows the global counter, which Bob moves too). */
	const adaSnapshot = async () => ({ ...merge(await ada.pullAll(0)), cursor: undefined });

	it('a push with another user’s client id is refused with 403 and changes nothing', async () => {
		const before = await adaSnapshot();
		const stolenConv = id('conv');
		const res = await bob.http.mutation('sync.push', {
			clientId: ada.clientId,
			mutations: [
				{ id: ada.nextMutationId, name: 'conversation.create', args: m.createConversation(stolenConv).args },
				{ id: ada.nextMutationId + 1, name: 'conversation.rename', args: { id: ids.conv, title: 'Hijacked' } }
			]
		});
		expect(res.status).toBe(403);
		expect(res.json.error?.message).toBe('That client id belongs to another user. Sign in again on this device.');
		expect(await adaSnapshot()).toEqual(before);
		expect(app.services.db.select().from(syncClients).where(eq(syncClients.clientId, ada.clientId)).get()).toMatchObject({ lastMutationId: ada.nextMutationId - 1 });
		expect((await bob.pull(0)).conversations.map((c) => c.id)).not.toContain(stolenConv);
	});

	it('a pull with another user’s client id is refused with 403', async () => {
		await expect(bob.pull(0, ada.clientId)).rejects.toMatchObject({ status: 403 } satisfies Partial<SyncHttpError>);
	});

	it('mutations naming Ada’s rows are rejected like missing rows, and Ada’s data is unchanged', async () => {
		const before = await adaSnapshot();
		const first = bob.nextMutationId;
		const res = await bob.push(
			m.rename(ids.conv, 'Hijacked'),
			m.pin(ids.conv, true),
			m.remove(ids.conv),
			m.message(id('msg'), ids.conv, ids.answer, 'Injected'),
			m.reply({ id: id('gen'), conversationId: ids.conv, userMessageId: ids.question, assistantMessageId: id('msg') }),
			m.setActiveLeaf(ids.conv, ids.question),
			{ name: 'conversation.setSystemPrompt', args: { id: ids.conv, systemPrompt: 'Leak everything' } },
			{ name: 'message.delete', args: { id: ids.question } },
			m.cancel(ids.generation),
			// Bob's own conversation, pointing into Ada's: parent and leaf are not his.
			m.message(id('msg'), ids.bobConv, ids.question, 'Under Ada’s message'),
			m.setActiveLeaf(ids.bobConv, ids.question),
			m.reply({ id: id('gen'), conversationId: ids.bobConv, userMessageId: ids.question, assistantMessageId: id('msg') }),
			// Ada's ids reused for Bob's new rows.
			m.createConversation(ids.conv),
			m.message(ids.question, ids.bobConv, ids.bobMsg, 'Same id as Ada’s'),
			m.reply({ id: ids.generation, conversationId: ids.bobConv, userMessageId: ids.bobMsg, assistantMessageId: id('msg') })
		);
		expect(res.rejected.map((r) => r.id)).toEqual(Array.from({ length: 15 }, (_, i) => first + i));
		const reasons = res.rejected.map((r) => r.reason);
		// Nothing in a reason confirms that Ada's conversation exists.
		expect(reasons.slice(0, 7)).toEqual(Array(7).fill(MISSING_CONVERSATION));
		expect(reasons[7]).toBe('That message does not exist, or was deleted.');
		expect(reasons[8]).toBe('That reply does not exist, or was deleted.');
		expect(reasons[9]).toBe('That message to reply under does not exist, or was deleted.');
		expect(reasons[10]).toBe('That message does not exist, or was deleted.');
		expect(reasons[11]).toBe('That message to reply to does not exist, or was deleted.');
		expect(reasons.slice(12)).toEqual(['That conversation id is taken. The conversation was not created.', 'That message id is taken. The message was not sent.', 'That reply id is taken. No reply was started.']);
		// A missing conversation gets the very same words.
		const ghost = await bob.push(m.rename(id('conv'), 'Ghost'));
		expect(ghost.rejected[0]?.reason).toBe(MISSING_CONVERSATION);

		expect(await adaSnapshot()).toEqual(before);
		expect(app.services.db.select().from(generations).where(eq(generations.userId, (await bobUserId()) ?? '')).all()).toEqual([]);
	});

	it('Bob’s pulls never return Ada’s rows, and Ada’s never return Bob’s rejections', async () => {
		const bobs = merge(await bob.pullAll(0));
		expect(bobs.conversations.map((c) => c.id)).toEqual([ids.bobConv]);
		expect(bobs.messages.every((msg) => msg.conversationId === ids.bobConv)).toBe(true);
		expect(bobs.messages.map((msg) => msg.id)).toContain(ids.bobMsg);
		expect(bobs.generations).toEqual([]);
		expect(JSON.stringify(bobs)).not.toContain('Ada’s');

		const adas = merge(await ada.pullAll(0));
		expect(adas.conversations.map((c) => c.id)).toEqual([ids.conv]);
		expect(adas.messages.map((msg) => msg.id).sort()).toEqual([ids.question, ids.answer].sort());
		expect(adas.generations.map((g) => g.id)).toEqual([ids.generation]);
		expect(adas.rejections).toEqual([]);
		expect(JSON.stringify(adas)).not.toContain('Bob’s');
	});

	async function bobUserId() {
		const res = await bob.http.query('auth.me');
		return (res.json.result?.data as { id: string } | undefined)?.id;
	}
});
