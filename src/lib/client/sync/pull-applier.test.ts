import 'fake-indexeddb/auto';
import { IDBDatabase } from 'fake-indexeddb';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { readMeta, type UserStore } from '../store/db';
import { enqueue } from '../store/mutate';
import { conversationRow, generationRow, messageRow, openTestStore, pullPage } from '../store/test-support';
import { applyPull } from './pull-applier';

afterEach(() => vi.restoreAllMocks());

async function dump(store: UserStore) {
	const db = store.db;
	return {
		conversations: await db.conversations.toArray(),
		messages: await db.messages.toArray(),
		generations: await db.generations.toArray(),
		rejections: await db.rejections.toArray(),
		outbox: await db.outbox.toArray(),
		cursor: await readMeta(db, 'cursor')
	};
}

const messages = (count: number, fromVersion: number) =>
	Array.from({ length: count }, (_, i) => messageRow({ id: `m${i}`, conversationId: 'c1', createdAt: i, version: fromVersion + i }));

describe('applyPull', () => {
	it('stores the rows, rejections and cursor of a page exactly as pulled', async () => {
		const store = await openTestStore();
		const page = pullPage({
			cursor: 4,
			conversations: [conversationRow({ id: 'c1', version: 1 })],
			messages: [messageRow({ id: 'm1', conversationId: 'c1', version: 2 })],
			generations: [generationRow({ id: 'g1', conversationId: 'c1', version: 3 })],
			rejections: [{ clientId: store.clientId, mutationId: 1, name: 'conversation.rename', reason: 'No.', createdAt: 5, version: 4 }]
		});
		expect(await applyPull(store, page, 0)).toBe(4);
		const stored = await dump(store);
		expect(stored).toMatchObject({ conversations: page.conversations, messages: page.messages, generations: page.generations, rejections: page.rejections, cursor: 4 });
		store.close();
	});

	it('is idempotent: applying the same page twice changes nothing', async () => {
		const store = await openTestStore();
		await enqueue(store, 'conversation.pin', { id: 'c1', pinned: true });
		await enqueue(store, 'conversation.pin', { id: 'c1', pinned: false });
		const page = pullPage({ cursor: 3, lastMutationId: 1, conversations: [conversationRow({ id: 'c1', version: 3 })], messages: messages(2, 1) });
		await applyPull(store, page, 0);
		const once = await dump(store);
		await applyPull(store, page, 0); // the cursor moved meanwhile: the checked path
		await applyPull(store, page);
		expect(await dump(store)).toEqual(once);
		expect(once.outbox.map((e) => e.id)).toEqual([2]);
		store.close();
	});

	it('never lets an older row overwrite a newer one', async () => {
		const store = await openTestStore();
		await applyPull(store, pullPage({ cursor: 9, conversations: [conversationRow({ id: 'c1', title: 'New', version: 9 })] }), 0);
		// A stale page (asked for with an old cursor, e.g. by a second puller) arrives late.
		const stale = pullPage({
			cursor: 5,
			conversations: [conversationRow({ id: 'c1', title: 'Old', version: 5 }), conversationRow({ id: 'c2', title: 'Other', version: 4 })]
		});
		expect(await applyPull(store, stale, 3)).toBe(9);
		const stored = await dump(store);
		expect(stored.conversations.map((c) => [c.id, c.title])).toEqual([
			['c1', 'New'],
			['c2', 'Other']
		]);
		expect(stored.cursor).toBe(9);
		store.close();
	});

	it('checks versions even when the caller claims the current cursor but the page breaks the protocol', async () => {
		const store = await openTestStore();
		await applyPull(store, pullPage({ cursor: 9, conversations: [conversationRow({ id: 'c1', title: 'New', version: 9 })] }), 0);
		await applyPull(store, pullPage({ cursor: 10, conversations: [conversationRow({ id: 'c1', title: 'Old', version: 2 })] }), 9);
		expect((await store.db.conversations.get('c1'))?.title).toBe('New');
		store.close();
	});

	it('replaces a row with a newer version', async () => {
		const store = await openTestStore();
		await applyPull(store, pullPage({ cursor: 1, conversations: [conversationRow({ id: 'c1', title: 'A', version: 1 })] }), 0);
		await applyPull(store, pullPage({ cursor: 2, conversations: [conversationRow({ id: 'c1', title: 'B', version: 2 })] }), 1);
		expect((await store.db.conversations.get('c1'))?.title).toBe('B');
		store.close();
	});

	it('deletes the outbox entries up to lastMutationId, and only those', async () => {
		const store = await openTestStore();
		for (let i = 0; i < 5; i++) await enqueue(store, 'conversation.pin', { id: 'c1', pinned: i % 2 === 0 });
		await applyPull(store, pullPage({ cursor: 1, lastMutationId: 3 }), 0);
		expect((await store.db.outbox.toArray()).map((e) => e.id)).toEqual([4, 5]);
		await applyPull(store, pullPage({ cursor: 1, lastMutationId: 0 }), 1);
		expect(await store.db.outbox.count()).toBe(2);
		store.close();
	});

	it('keeps acknowledged entries while more pages follow: their rows may be on a later page', async () => {
		const store = await openTestStore();
		for (let i = 0; i < 3; i++) await enqueue(store, 'conversation.pin', { id: 'c1', pinned: i % 2 === 0 });
		await applyPull(store, pullPage({ cursor: 1, lastMutationId: 3, more: true }), 0);
		expect(await store.db.outbox.count()).toBe(3);
		await applyPull(store, pullPage({ cursor: 2, lastMutationId: 3, more: false }), 1);
		expect(await store.db.outbox.count()).toBe(0);
		store.close();
	});

	it("forgets a deleted conversation's messages and replies with its tombstone", async () => {
		const store = await openTestStore();
		await applyPull(
			store,
			pullPage({
				cursor: 4,
				conversations: [conversationRow({ id: 'c1', version: 1 }), conversationRow({ id: 'c2', version: 2 })],
				messages: [messageRow({ id: 'm1', conversationId: 'c1', version: 3 }), messageRow({ id: 'm2', conversationId: 'c2', version: 4 })],
				generations: [generationRow({ id: 'g1', conversationId: 'c1', version: 4 })]
			}),
			0
		);
		await applyPull(store, pullPage({ cursor: 5, conversations: [conversationRow({ id: 'c1', deletedAt: 50, version: 5 })] }), 4);
		const stored = await dump(store);
		expect(stored.messages.map((m) => m.id)).toEqual(['m2']);
		expect(stored.generations).toEqual([]);
		expect(stored.conversations.find((c) => c.id === 'c1')?.deletedAt).toBe(50);
		store.close();
	});

	it('writes a whole page in one transaction, never one per row', async () => {
		const transaction = vi.spyOn(IDBDatabase.prototype, 'transaction'); // before opening: Dexie keeps a reference
		const store = await openTestStore();
		transaction.mockClear();
		const big = pullPage({ cursor: 500, conversations: [conversationRow({ id: 'c1', version: 1 })], messages: messages(499, 2) });
		await applyPull(store, big, 0);
		await applyPull(store, { ...big, cursor: 600 }, 0); // the checked path: bulkGet per table, same transaction
		const modes = transaction.mock.calls.map((call) => call[1]);
		expect(modes).toEqual(['readwrite', 'readwrite']);
		expect(await store.db.messages.count()).toBe(499);
		store.close();
	});
});
