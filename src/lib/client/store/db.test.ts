import 'fake-indexeddb/auto';
import { liveQuery } from 'dexie';
import { IDBDatabase, IDBFactory, IDBKeyRange } from 'fake-indexeddb';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { openUserStore, readMeta, userStoreName } from './db';
import { enqueue } from './mutate';
import { conversationRow, messageRow, openTestStore } from './test-support';

afterEach(() => vi.restoreAllMocks());

/** The first value of a liveQuery that satisfies `accept`. */
function when<T>(query: () => Promise<T>, accept: (value: T) => boolean): Promise<T> {
	return new Promise((resolve, reject) => {
		const subscription = liveQuery(query).subscribe({
			next: (value) => {
				if (!accept(value)) return;
				queueMicrotask(() => subscription.unsubscribe());
				resolve(value);
			},
			error: reject
		});
	});
}

describe('openUserStore', () => {
	it('opens one database per user, named after the user', async () => {
		const indexedDB = new IDBFactory();
		const alice = await openUserStore('alice', { indexedDB, IDBKeyRange });
		const bob = await openUserStore('bob', { indexedDB, IDBKeyRange });
		await alice.db.conversations.put(conversationRow({ id: 'c1' }));
		expect(alice.db.name).toBe('phosphor-alice');
		expect(userStoreName('bob')).toBe('phosphor-bob');
		expect(await bob.db.conversations.count()).toBe(0);
		expect(alice.clientId).not.toBe(bob.clientId);
		alice.close();
		bob.close();
	});

	it('keeps the client id across reopening', async () => {
		const indexedDB = new IDBFactory();
		const first = await openUserStore('carol', { indexedDB, IDBKeyRange });
		first.close();
		const again = await openUserStore('carol', { indexedDB, IDBKeyRange });
		expect(again.clientId).toBe(first.clientId);
		expect(await readMeta(again.db, 'clientId')).toBe(first.clientId);
		again.close();
	});

	it('writes the outbox with strict durability and pulled rows with relaxed', async () => {
		const transaction = vi.spyOn(IDBDatabase.prototype, 'transaction');
		const store = await openTestStore();
		transaction.mockClear();
		await enqueue(store, 'conversation.pin', { id: 'c1', pinned: true });
		await store.db.conversations.put(conversationRow({ id: 'c1' }));
		const durabilities = transaction.mock.calls.map((call) => [call[1], (call[2] as { durability?: string } | undefined)?.durability]);
		expect(durabilities).toEqual([
			['readwrite', 'strict'],
			['readwrite', 'relaxed']
		]);
		store.close();
	});
});

describe('both connections are one database', () => {
	it('a liveQuery made through the relaxed connection sees an enqueue made through the strict one', async () => {
		const store = await openTestStore();
		const seen = when(() => store.db.outbox.count(), (count) => count === 1);
		await enqueue(store, 'conversation.pin', { id: 'c1', pinned: true });
		expect(await seen).toBe(1);
		store.close();
	});

	it('a liveQuery made through the strict connection sees a write made through the relaxed one', async () => {
		const store = await openTestStore();
		const seen = when(() => store.outboxDb.conversations.toArray(), (rows) => rows.length === 1);
		await store.db.conversations.put(conversationRow({ id: 'c1', title: 'Pulled' }));
		expect((await seen)[0]?.title).toBe('Pulled');
		store.close();
	});
});

describe('messages', () => {
	it('are found by conversation through the compound index prefix', async () => {
		const store = await openTestStore();
		await store.db.messages.bulkPut([
			messageRow({ id: 'm2', conversationId: 'c1', createdAt: 2 }),
			messageRow({ id: 'm1', conversationId: 'c1', createdAt: 1 }),
			messageRow({ id: 'x1', conversationId: 'c2', createdAt: 1 })
		]);
		const ids = (await store.db.messages.where('conversationId').equals('c1').toArray()).map((m) => m.id);
		expect(ids).toEqual(['m1', 'm2']);
		store.close();
	});
});
