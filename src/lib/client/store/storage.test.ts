import 'fake-indexeddb/auto';
import { IDBFactory, IDBKeyRange } from 'fake-indexeddb';
import { describe, expect, it, vi } from 'vitest';
import { openUserStore } from './db';
import { enqueue } from './mutate';
import { clearLastUser, deleteUserStore, readLastUser, requestPersistence, storageEstimate, writeLastUser } from './storage';

function memoryStorage(): Storage {
	const items = new Map<string, string>();
	return {
		get length() {
			return items.size;
		},
		clear: () => items.clear(),
		getItem: (key) => items.get(key) ?? null,
		key: (index) => [...items.keys()][index] ?? null,
		removeItem: (key) => void items.delete(key),
		setItem: (key, value) => void items.set(key, value)
	};
}

describe('requestPersistence', () => {
	it('is false when the browser has no storage API', async () => {
		expect(await requestPersistence(null)).toBe(false);
	});

	it('asks only when storage is not persistent yet', async () => {
		const persist = vi.fn(async () => true);
		expect(await requestPersistence({ persist, persisted: async () => true, estimate: async () => ({}) })).toBe(true);
		expect(persist).not.toHaveBeenCalled();
		expect(await requestPersistence({ persist, persisted: async () => false, estimate: async () => ({}) })).toBe(true);
		expect(persist).toHaveBeenCalledOnce();
	});

	it('reports a refusal or a failure as false', async () => {
		const refused = { persist: async () => false, persisted: async () => false, estimate: async () => ({}) };
		expect(await requestPersistence(refused)).toBe(false);
		const broken = { ...refused, persist: () => Promise.reject(new Error('nope')) };
		expect(await requestPersistence(broken)).toBe(false);
	});
});

describe('storageEstimate', () => {
	it('returns usage and quota, or null when unknown', async () => {
		const storage = { persist: async () => true, persisted: async () => true, estimate: async () => ({ usage: 10, quota: 100 }) };
		expect(await storageEstimate(storage)).toEqual({ usage: 10, quota: 100 });
		expect(await storageEstimate({ ...storage, estimate: async () => ({}) })).toBeNull();
		expect(await storageEstimate(null)).toBeNull();
	});
});

describe('deleteUserStore', () => {
	it("wipes one user's database and no other", async () => {
		const deps = { indexedDB: new IDBFactory(), IDBKeyRange };
		const erin = await openUserStore('erin', deps);
		const frank = await openUserStore('frank', deps);
		await enqueue(erin, 'conversation.pin', { id: 'c1', pinned: true });
		await enqueue(frank, 'conversation.pin', { id: 'c1', pinned: true });
		erin.close();
		await deleteUserStore('erin', deps);
		const reopened = await openUserStore('erin', deps);
		expect(await reopened.db.outbox.count()).toBe(0);
		expect(reopened.clientId).not.toBe(erin.clientId);
		expect(await frank.db.outbox.count()).toBe(1);
		reopened.close();
		frank.close();
	});
});

describe('last user', () => {
	it('round-trips through localStorage and ignores garbage', () => {
		const storage = memoryStorage();
		expect(readLastUser(storage)).toBeNull();
		writeLastUser({ id: 'u1', username: 'ada' }, storage);
		expect(storage.getItem('phosphor.lastUser')).toBe('{"id":"u1","username":"ada"}');
		expect(readLastUser(storage)).toEqual({ id: 'u1', username: 'ada' });
		storage.setItem('phosphor.lastUser', '{not json');
		expect(readLastUser(storage)).toBeNull();
		storage.setItem('phosphor.lastUser', '{"id":""}');
		expect(readLastUser(storage)).toBeNull();
		writeLastUser({ id: 'u1', username: 'ada' }, storage);
		clearLastUser(storage);
		expect(readLastUser(storage)).toBeNull();
	});

	it('does nothing without localStorage (Node, storage disabled)', () => {
		expect(readLastUser(null)).toBeNull();
		expect(() => writeLastUser({ id: 'u1', username: 'ada' }, null)).not.toThrow();
	});
});
