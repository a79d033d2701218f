import { count, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { conversations, messages, syncClients, syncRejections } from '../../server/db/schema';
import { startTestApp, type TestApp } from '../helpers/app';
import { id, m, signUp, type Change, type SyncClient, type WireMutation } from '../helpers/sync-client';

/** Numbers changes as a client would, from `first`. */
const numbered = (first: number, ...changes: Change[]): WireMutation[] => changes.map((c, i) => ({ id: first + i, name: c.name, args: c.args }));

describe('sync.push: ordering, idempotency and rejections', () => {
	let app: TestApp;

	beforeAll(async () => {
		app = await startTestApp();
	});
	afterAll(() => app.stop());

	const conversation = (convId: string) => app.services.db.select().from(conversations).where(eq(conversations.id, convId)).get();
	const lastMutationIdOf = (client: SyncClient) => app.services.db.select().from(syncClients).where(eq(syncClients.clientId, client.clientId)).get()?.lastMutationId;

	it('applies a batch in order and reports the last mutation id it processed', async () => {
		const ada = await signUp(app);
		const conv = id('conv');
		const res = await ada.push(m.createConversation(conv), m.rename(conv, 'First'), m.rename(conv, 'Second'), m.pin(conv, true));
		expect(res).toEqual({ lastMutationId: 4, rejected: [] });
		// The later rename was applied after the earlier one: order within a batch is kept.
		expect(conversation(conv)).toMatchObject({ title: 'Second', pinned: true });
		expect(lastMutationIdOf(ada)).toBe(4);

		const next = await ada.push(m.pin(conv, false));
		expect(next.lastMutationId).toBe(5);
		expect(conversation(conv)?.pinned).toBe(false);
	});

	it('pushing the same batch twice changes nothing: same rows, same versions, no duplicates', async () => {
		const ada = await signUp(app);
		const conv = id('conv');
		const m1 = id('msg');
		const batch = numbered(1, m.createConversation(conv), m.message(m1, conv, null, 'Hello'), m.rename(conv, 'Greeting'));
		expect((await ada.pushRaw(batch)).lastMutationId).toBe(3);
		const before = await ada.pull(0);
		const rowsBefore = app.services.db.select({ n: count() }).from(messages).where(eq(messages.conversationId, conv)).get()?.n;

		const again = await ada.pushRaw(batch);
		expect(again).toEqual({ lastMutationId: 3, rejected: [] });
		const after = await ada.pull(0);
		expect(after).toEqual(before);
		expect(after.conversations).toHaveLength(1);
		expect(after.messages).toHaveLength(1);
		expect(app.services.db.select({ n: count() }).from(messages).where(eq(messages.conversationId, conv)).get()?.n).toBe(rowsBefore);
	});

	it('skips ids at or below the last one and applies the ones after it', async () => {
		const ada = await signUp(app);
		const conv = id('conv');
		await ada.pushRaw(numbered(1, m.createConversation(conv), m.rename(conv, 'Kept')));
		// 1 and 2 again (stale copies with other contents), then 3 which is new.
		const res = await ada.pushRaw(numbered(1, m.rename(conv, 'Stale one'), m.rename(conv, 'Stale two'), m.pin(conv, true)));
		expect(res).toEqual({ lastMutationId: 3, rejected: [] });
		expect(conversation(conv)).toMatchObject({ title: 'Kept', pinned: true });
	});

	it('stops at a gap: ids 1, 2, 4 apply 1–2 (lastMutationId 2); then 3, 4 continue', async () => {
		const ada = await signUp(app);
		const conv = id('conv');
		const [one, two, three, four] = numbered(1, m.createConversation(conv), m.rename(conv, 'Two'), m.rename(conv, 'Three'), m.pin(conv, true));
		const res = await ada.pushRaw([one!, two!, four!]);
		expect(res).toEqual({ lastMutationId: 2, rejected: [] });
		expect(conversation(conv)).toMatchObject({ title: 'Two', pinned: false });

		const resumed = await ada.pushRaw([three!, four!]);
		expect(resumed).toEqual({ lastMutationId: 4, rejected: [] });
		expect(conversation(conv)).toMatchObject({ title: 'Three', pinned: true });
	});

	it('a batch that starts past the next id applies nothing', async () => {
		const ada = await signUp(app);
		const conv = id('conv');
		const res = await ada.pushRaw([{ id: 5, name: 'conversation.create', args: m.createConversation(conv).args }]);
		expect(res).toEqual({ lastMutationId: 0, rejected: [] });
		expect(conversation(conv)).toBeUndefined();
	});

	it('the same new row from a second device is acknowledged once more; the first write stands', async () => {
		const laptop = await signUp(app);
		const phone = laptop.sibling();
		const [conv, msg] = [id('conv'), id('msg')];
		await laptop.push(m.createConversation(conv, { title: 'Laptop' }), m.message(msg, conv, null, 'Laptop words'));
		const res = await phone.push(m.createConversation(conv, { title: 'Phone' }), m.message(msg, conv, null, 'Phone words'));
		expect(res).toEqual({ lastMutationId: 2, rejected: [] });
		expect(conversation(conv)?.title).toBe('Laptop');
		expect(app.services.db.select().from(messages).where(eq(messages.conversationId, conv)).all().map((x) => x.content)).toEqual(['Laptop words']);
	});

	it('records invalid args, unknown names and missing conversations as rejected with readable reasons; the rest of the batch applies', async () => {
		const ada = await signUp(app);
		const conv = id('conv');
		const missing = id('conv');
		const res = await ada.pushRaw([
			{ id: 1, name: 'conversation.create', args: m.createConversation(conv).args },
			{ id: 2, name: 'conversation.rename', args: { id: conv, title: '   ' } },
			{ id: 3, name: 'conversation.explode', args: { id: conv } },
			{ id: 4, name: 'conversation.rename', args: { id: missing, title: 'Ghost' } },
			{ id: 5, name: 'conversation.pin', args: { id: conv, pinned: 'yes' } },
			{ id: 6, name: 'message.create', args: { id: id('msg'), conversationId: missing, parentId: null, content: 'Hi', createdAt: Date.now() } },
			{ id: 7, name: 'conversation.rename', args: { id: conv, title: 'Still applied' } }
		]);
		expect(res.lastMutationId).toBe(7);
		expect(res.rejected.map((r) => r.id)).toEqual([2, 3, 4, 5, 6]);
		const reason = (mutationId: number) => res.rejected.find((r) => r.id === mutationId)?.reason;
		expect(reason(2)).toBe('Invalid conversation.rename — title: A title cannot be empty.');
		expect(reason(3)).toBe('"conversation.explode" is not a change this server knows. Update the app.');
		expect(reason(4)).toBe('That conversation does not exist, or was deleted.');
		expect(reason(5)).toMatch(/^Invalid conversation\.pin — pinned: /);
		expect(reason(6)).toBe('That conversation does not exist, or was deleted.');
		expect(conversation(conv)?.title).toBe('Still applied');
		expect(conversation(missing)).toBeUndefined();
		expect(lastMutationIdOf(ada)).toBe(7);
	});

	it('a rejection reaches later pulls as a row, and is not rejected again when pushed twice', async () => {
		const ada = await signUp(app);
		const cursor = (await ada.pull(0)).cursor;
		const batch: WireMutation[] = [{ id: 1, name: 'conversation.rename', args: { id: id('conv'), title: 'Nobody' } }];
		await ada.pushRaw(batch);
		const pulled = await ada.pull(cursor);
		expect(pulled.lastMutationId).toBe(1);
		expect(pulled.rejections).toEqual([
			{ clientId: ada.clientId, mutationId: 1, name: 'conversation.rename', reason: 'That conversation does not exist, or was deleted.', createdAt: expect.any(Number), version: expect.any(Number) }
		]);

		expect(await ada.pushRaw(batch)).toEqual({ lastMutationId: 1, rejected: [] });
		expect(app.services.db.select({ n: count() }).from(syncRejections).where(eq(syncRejections.clientId, ada.clientId)).get()?.n).toBe(1);
	});

	it('a mutation with absent arguments is rejected, not a server error', async () => {
		const ada = await signUp(app);
		const res = await ada.pushRaw([{ id: 1, name: 'conversation.delete', args: null }]);
		expect(res.lastMutationId).toBe(1);
		expect(res.rejected).toEqual([{ id: 1, reason: expect.stringMatching(/^Invalid conversation\.delete — /) }]);
		expect(app.logs.join('\n')).not.toMatch(/a mutation failed unexpectedly/);
	});

	it('a malformed envelope is refused whole with 400 and applies nothing', async () => {
		const ada = await signUp(app);
		const conv = id('conv');
		const tooMany = Array.from({ length: 101 }, (_, i) => ({ id: i + 1, name: 'conversation.create', args: { ...m.createConversation(`${conv}-${i}`).args } }));
		const res = await ada.http.mutation('sync.push', { clientId: ada.clientId, mutations: tooMany });
		expect(res.status).toBe(400);
		expect(conversation(`${conv}-0`)).toBeUndefined();
		expect(lastMutationIdOf(ada)).toBeUndefined();
	});
});
