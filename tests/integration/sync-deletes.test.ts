import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generations, messages } from '../../server/db/schema';
import { startTestApp, type TestApp } from '../helpers/app';
import { eventually, id, m, merge, signUp, type SyncClient } from '../helpers/sync-client';

describe('sync: deletes and stops while a reply is being written', () => {
	let app: TestApp;

	beforeAll(async () => {
		app = await startTestApp();
	});
	afterAll(() => app.stop());

	const generationRow = (generationId: string) => app.services.db.select().from(generations).where(eq(generations.id, generationId)).get();
	const messageRow = (messageId: string) => app.services.db.select().from(messages).where(eq(messages.id, messageId)).get();
	const ended = (generationId: string) =>
		eventually(() => {
			const row = generationRow(generationId);
			return row && ['done', 'failed', 'cancelled'].includes(row.state) ? row : undefined;
		}, 20_000, `reply ${generationId} to end`);

	async function startSlowReply(client: SyncClient, length = 2000) {
		const ids = { conv: id('conv'), question: id('msg'), answer: id('msg'), generation: id('gen') };
		await client.push(
			m.createConversation(ids.conv),
			m.message(ids.question, ids.conv, null, `Write slowly [[sim:len=${length} trickle=10]]`),
			m.reply({ id: ids.generation, conversationId: ids.conv, userMessageId: ids.question, assistantMessageId: ids.answer })
		);
		// Some text has been written to the database before the test acts.
		await eventually(() => (messageRow(ids.answer)?.content.length ?? 0) > 0, 10_000, 'the first flushed text');
		return ids;
	}

	it('message.delete tombstones the message and every reply below it, clears their text, and moves the active leaf up', async () => {
		const ada = await signUp(app);
		const [conv, root, child, grandchild] = [id('conv'), id('msg'), id('msg'), id('msg')];
		await ada.push(m.createConversation(conv), m.message(root, conv, null, 'Root'), m.message(child, conv, root, 'Child'), m.message(grandchild, conv, child, 'Grandchild'));
		const before = await ada.pull(0);
		expect(await ada.push({ name: 'message.delete', args: { id: child } })).toMatchObject({ rejected: [] });
		const delta = await ada.pull(before.cursor);
		expect(delta.messages.map((x) => [x.id, x.content, typeof x.deletedAt])).toEqual([
			[child, '', 'number'],
			[grandchild, '', 'number']
		]);
		expect(delta.conversations).toEqual([expect.objectContaining({ id: conv, activeLeafId: root })]);
	});

	it('deleting a conversation stops its running reply; nothing of it is left to pull', async () => {
		const ada = await signUp(app);
		const ids = await startSlowReply(ada);
		await ada.push(m.remove(ids.conv));
		const row = await ended(ids.generation);
		expect(row.state).toBe('cancelled');
		expect(app.services.db.select().from(messages).where(eq(messages.conversationId, ids.conv)).all()).toEqual([]);
		const all = merge(await ada.sibling().pullAll(0));
		expect(all.conversations).toEqual([expect.objectContaining({ id: ids.conv, deletedAt: expect.any(Number) })]);
		expect(all.messages).toEqual([]);
		expect(all.generations).toEqual([]);
	});

	it('deleting the user message of a running reply leaves the deleted reply without text', async () => {
		const ada = await signUp(app);
		const ids = await startSlowReply(ada, 300);
		expect(await ada.push({ name: 'message.delete', args: { id: ids.question } })).toMatchObject({ rejected: [] });
		expect(messageRow(ids.answer)).toMatchObject({ content: '', deletedAt: expect.any(Number) });
		await ended(ids.generation);
		// The tombstone keeps its cleared text: the reply's text must not reappear on any device.
		expect(messageRow(ids.answer)).toMatchObject({ content: '', deletedAt: expect.any(Number) });
		const pulled = merge(await ada.sibling().pullAll(0)).messages.find((x) => x.id === ids.answer);
		expect(pulled).toMatchObject({ content: '', deletedAt: expect.any(Number) });
	});

	it('a request and its cancel in the same push: the reply ends cancelled without running to its end', async () => {
		const ada = await signUp(app);
		const [conv, question, answer, generation] = [id('conv'), id('msg'), id('msg'), id('gen')];
		const res = await ada.push(
			m.createConversation(conv),
			m.message(question, conv, null, 'Never mind [[sim:len=2000 trickle=10]]'),
			m.reply({ id: generation, conversationId: conv, userMessageId: question, assistantMessageId: answer }),
			m.cancel(generation)
		);
		expect(res.rejected).toEqual([]);
		const row = await ended(generation);
		expect(row.state).toBe('cancelled');
		expect(messageRow(answer)?.status).toBe('cancelled');
		expect(messageRow(answer)?.content.length ?? 0).toBeLessThan(2000);
	});

	it('cancelling a reply that already ended is acknowledged and changes nothing', async () => {
		const ada = await signUp(app);
		const [conv, question, answer, generation] = [id('conv'), id('msg'), id('msg'), id('gen')];
		await ada.push(
			m.createConversation(conv),
			m.message(question, conv, null, 'Quick [[sim:len=20]]'),
			m.reply({ id: generation, conversationId: conv, userMessageId: question, assistantMessageId: answer })
		);
		const done = await ended(generation);
		expect(done.state).toBe('done');
		expect(await ada.push(m.cancel(generation))).toMatchObject({ rejected: [] });
		expect(generationRow(generation)?.state).toBe('done');
		expect(messageRow(answer)).toMatchObject({ status: 'complete', content: expect.any(String) });
		expect(messageRow(answer)?.content).toHaveLength(20);
	});
});
