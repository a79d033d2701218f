import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';
import { enqueue } from './mutate';
import { countUnsynced, readConversation, readConversationList, readRejections } from './queries';
import { conversationRow, generationRow, messageRow, openTestStore } from './test-support';

describe('queries', () => {
	it('read the conversation list with queued changes applied', async () => {
		const store = await openTestStore();
		await store.db.conversations.bulkPut([conversationRow({ id: 'c1', title: 'Server' }), conversationRow({ id: 'c2' })]);
		await enqueue(store, 'conversation.rename', { id: 'c1', title: 'Renamed' });
		await enqueue(store, 'conversation.delete', { id: 'c2' });
		const list = await readConversationList(store.db);
		expect(list.map((c) => [c.id, c.title, c.pending])).toEqual([['c1', 'Renamed', true]]);
		expect(await countUnsynced(store.db)).toBe(2);
		store.close();
	});

	it('read one conversation with its messages, branch and replies', async () => {
		const store = await openTestStore();
		await store.db.conversations.put(conversationRow({ id: 'c1', activeLeafId: 'm1' }));
		await store.db.messages.put(messageRow({ id: 'm1', conversationId: 'c1', content: 'Hi' }));
		await store.db.generations.put(generationRow({ id: 'g0', conversationId: 'c1' }));
		await enqueue(store, 'message.create', { id: 'm2', conversationId: 'c1', parentId: 'm1', content: 'More', createdAt: 2_000 });
		await enqueue(store, 'generation.request', { id: 'g1', conversationId: 'c1', userMessageId: 'm2', assistantMessageId: 'a2', createdAt: 2_001 });
		const detail = await readConversation(store.db, 'c1');
		expect(detail?.conversation.activeLeafId).toBe('a2');
		expect(detail?.branch.map((s) => s.message.id)).toEqual(['m1', 'm2', 'a2']);
		expect(detail?.messages.map((m) => m.queued)).toEqual([false, true, true]);
		expect(detail?.generations.map((g) => g.id)).toEqual(['g0']);
		expect(await readConversation(store.db, 'missing')).toBeNull();
		store.close();
	});

	it('show the branch up to the parent of a queued delete of the active leaf', async () => {
		const store = await openTestStore();
		await store.db.conversations.put(conversationRow({ id: 'c1', activeLeafId: 'm2' }));
		await store.db.messages.bulkPut([
			messageRow({ id: 'm1', conversationId: 'c1', createdAt: 1 }),
			messageRow({ id: 'm2', conversationId: 'c1', parentId: 'm1', createdAt: 2 }),
			messageRow({ id: 'x', conversationId: 'c1', createdAt: 3 })
		]);
		await enqueue(store, 'message.delete', { id: 'm2' });
		expect((await readConversation(store.db, 'c1'))?.branch.map((s) => s.message.id)).toEqual(['m1']);
		store.close();
	});

	it('read rejections newest first', async () => {
		const store = await openTestStore();
		await store.db.rejections.bulkPut([
			{ clientId: 'x', mutationId: 1, name: 'conversation.rename', reason: 'Old', createdAt: 1, version: 3 },
			{ clientId: 'x', mutationId: 2, name: 'conversation.rename', reason: 'New', createdAt: 2, version: 4 }
		]);
		expect((await readRejections(store.db)).map((r) => r.reason)).toEqual(['New', 'Old']);
		store.close();
	});
});
