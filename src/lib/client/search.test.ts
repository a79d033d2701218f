import 'fake-indexeddb/auto';
import { afterEach, describe, expect, it } from 'vitest';
import { enqueue } from './store/mutate';
import { openTestStore } from './store/test-support';
import type { UserStore } from './store/db';
import { searchLocal } from './search';

describe('searchLocal', () => {
	let store: UserStore;
	afterEach(() => store?.close());

	it('finds titles and message text, case-insensitively, with a snippet around the first match, queued messages included', async () => {
		store = await openTestStore();
		await enqueue(store, 'conversation.create', { id: 'c1', model: 'm', createdAt: 1 });
		await enqueue(store, 'message.create', { id: 'm1', conversationId: 'c1', parentId: null, content: 'Plan a trip to Lisbon', createdAt: 2 });
		await enqueue(store, 'conversation.create', { id: 'c2', model: 'm', createdAt: 3 });
		await enqueue(store, 'message.create', {
			id: 'm2',
			conversationId: 'c2',
			parentId: null,
			content: `Bread notes\n${'x'.repeat(60)} how much FLOUR for a loaf ${'y'.repeat(60)}`,
			createdAt: 4
		});
		// The title matches too; the hit points at the message, with its snippet.
		expect((await searchLocal(store.db, 'lisbon')).map((h) => [h.conversationId, h.messageId])).toEqual([['c1', 'm1']]);
		const [hit] = await searchLocal(store.db, 'flour');
		expect(hit).toMatchObject({ conversationId: 'c2', messageId: 'm2', title: 'Bread notes' });
		expect(hit?.snippet?.match).toBe('FLOUR');
		expect(hit?.snippet?.before.startsWith('…')).toBe(true);
		expect(hit?.snippet?.after.endsWith('…')).toBe(true);
		expect(await searchLocal(store.db, '   ')).toEqual([]);
		await enqueue(store, 'conversation.rename', { id: 'c2', title: 'Baking' });
		expect((await searchLocal(store.db, 'baking')).map((h) => [h.conversationId, h.messageId])).toEqual([['c2', null]]);
	});
});
