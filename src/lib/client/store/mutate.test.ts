import 'fake-indexeddb/auto';
import { IDBFactory, IDBKeyRange } from 'fake-indexeddb';
import { describe, expect, it } from 'vitest';
import { openUserStore, readMeta } from './db';
import { enqueue, InvalidMutationError } from './mutate';
import { openTestStore } from './test-support';

describe('enqueue', () => {
	it('allocates increasing mutation ids from 1 and stores the entry', async () => {
		const store = await openTestStore();
		expect(await enqueue(store, 'conversation.pin', { id: 'c1', pinned: true }, 10)).toBe(1);
		expect(await enqueue(store, 'conversation.archive', { id: 'c1', archived: true }, 11)).toBe(2);
		expect(await store.db.outbox.toArray()).toEqual([
			{ id: 1, name: 'conversation.pin', args: { id: 'c1', pinned: true }, createdAt: 10, conversationId: 'c1' },
			{ id: 2, name: 'conversation.archive', args: { id: 'c1', archived: true }, createdAt: 11, conversationId: 'c1' }
		]);
		expect(await readMeta(store.db, 'nextMutationId')).toBe(3);
		store.close();
	});

	it('files a message delete or a cancel under the conversation of its message or reply, queued or synced', async () => {
		const store = await openTestStore();
		await enqueue(store, 'conversation.create', { id: 'c1', model: 'm', createdAt: 1 });
		await enqueue(store, 'message.create', { id: 'q', conversationId: 'c1', parentId: null, content: 'Hi', createdAt: 2 });
		await enqueue(store, 'generation.request', { id: 'g', conversationId: 'c1', userMessageId: 'q', assistantMessageId: 'a', createdAt: 3 });
		await enqueue(store, 'generation.cancel', { id: 'g' });
		await enqueue(store, 'message.delete', { id: 'a' });
		await enqueue(store, 'message.delete', { id: 'q' });
		expect((await store.db.outbox.toArray()).map((e) => e.conversationId)).toEqual(['c1', 'c1', 'c1', 'c1', 'c1', 'c1']);
		store.close();
	});

	it('keeps counting after the database is reopened, even when the outbox was emptied', async () => {
		const deps = { indexedDB: new IDBFactory(), IDBKeyRange };
		const first = await openUserStore('dana', deps);
		await enqueue(first, 'conversation.pin', { id: 'c1', pinned: true });
		await enqueue(first, 'conversation.pin', { id: 'c1', pinned: false });
		await first.db.outbox.clear(); // as when the server has processed both
		first.close();
		const again = await openUserStore('dana', deps);
		expect(await enqueue(again, 'conversation.pin', { id: 'c1', pinned: true })).toBe(3);
		again.close();
	});

	it('gives concurrent enqueues distinct, gapless ids', async () => {
		const store = await openTestStore();
		const ids = await Promise.all(
			Array.from({ length: 20 }, (_, i) => enqueue(store, 'conversation.pin', { id: `c${i}`, pinned: true }))
		);
		expect([...ids].sort((a, b) => a - b)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
		store.close();
	});

	it('stores the arguments as parsed, with defaults (message text kept as written)', async () => {
		const store = await openTestStore();
		await enqueue(store, 'conversation.create', { id: 'c1', model: 'openai/gpt-4o-mini', createdAt: 5 });
		await enqueue(store, 'message.create', { id: 'm1', conversationId: 'c1', parentId: null, content: '  hi  ', createdAt: 6 });
		const [create, message] = await store.db.outbox.toArray();
		expect(create?.args).toEqual({ id: 'c1', model: 'openai/gpt-4o-mini', title: '', systemPrompt: '', fallbackModels: [], createdAt: 5 });
		expect(message?.args).toMatchObject({ content: '  hi  ' });
		store.close();
	});

	it('refuses invalid arguments with a message for the person and writes nothing', async () => {
		const store = await openTestStore();
		const attempt = enqueue(store, 'message.create', { id: 'm1', conversationId: 'c1', parentId: null, content: '   ', createdAt: 1 });
		await expect(attempt).rejects.toBeInstanceOf(InvalidMutationError);
		await expect(attempt).rejects.toThrow('Write a message first.');
		// @ts-expect-error: the types refuse a wrong argument too; the runtime check is for untyped callers.
		await expect(enqueue(store, 'conversation.pin', { id: 'c1', pinned: 'yes' })).rejects.toMatchObject({
			mutation: 'conversation.pin',
			issues: [expect.objectContaining({ path: ['pinned'] })]
		});
		expect(await store.db.outbox.count()).toBe(0);
		expect(await readMeta(store.db, 'nextMutationId')).toBeUndefined();
		store.close();
	});
});
