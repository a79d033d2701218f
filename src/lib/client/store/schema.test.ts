import 'fake-indexeddb/auto';
import { IDBFactory, IDBKeyRange } from 'fake-indexeddb';
import { describe, expect, it } from 'vitest';
import { PhosphorDb, type OutboxEntry } from './db';
import { CURRENT_SCHEMA_VERSION, SCHEMA, type SchemaStep } from './schema';
import { conversationRow, messageRow } from './test-support';

describe('schema versions', () => {
	it('declares increasing versions ending at the current one', () => {
		const versions = SCHEMA.map((step) => step.version);
		expect(versions).toEqual([...versions].sort((a, b) => a - b));
		expect(versions.at(-1)).toBe(CURRENT_SCHEMA_VERSION);
	});

	// The pattern for every new schema step: open the old version with data, then the new one.
	it('upgrades a version-1 database without losing rows', async () => {
		const deps = { indexedDB: new IDBFactory(), IDBKeyRange };
		const v1 = new PhosphorDb('phosphor-upgrade', deps, SCHEMA.slice(0, 1));
		await v1.conversations.put(conversationRow({ id: 'c1', title: 'Kept' }));
		await v1.messages.put(messageRow({ id: 'm1', conversationId: 'c1' }));
		await v1.outbox.put({ id: 1, name: 'conversation.pin', args: { id: 'c1', pinned: true }, createdAt: 5 } as unknown as OutboxEntry);
		await v1.meta.put({ key: 'cursor', value: 42 });
		v1.close();

		// A hypothetical next step: a new index and a rewrite of existing rows.
		const next: SchemaStep = {
			version: CURRENT_SCHEMA_VERSION + 1,
			stores: { conversations: 'id, updatedAt' },
			upgrade: (tx) =>
				tx
					.table('conversations')
					.toCollection()
					.modify((c: { title: string }) => {
						c.title = c.title.toUpperCase();
					})
		};
		const upgraded = new PhosphorDb('phosphor-upgrade', deps, [...SCHEMA, next]);
		await upgraded.open();
		expect(upgraded.verno).toBe(CURRENT_SCHEMA_VERSION + 1);
		expect((await upgraded.conversations.get('c1'))?.title).toBe('KEPT');
		expect(await upgraded.conversations.orderBy('updatedAt').count()).toBe(1);
		expect(await upgraded.messages.count()).toBe(1);
		expect(await upgraded.outbox.get(1)).toMatchObject({ name: 'conversation.pin' });
		expect(await upgraded.meta.get('cursor')).toEqual({ key: 'cursor', value: 42 });
		upgraded.close();
	});

	it('version 2 files every queued change under its conversation, looking messages and replies up where their args do not say', async () => {
		const deps = { indexedDB: new IDBFactory(), IDBKeyRange };
		const v1 = new PhosphorDb('phosphor-v2', deps, SCHEMA.slice(0, 1));
		await v1.messages.put(messageRow({ id: 'pulled', conversationId: 'c1' }));
		const v1Entries = [
			{ id: 1, name: 'conversation.pin', args: { id: 'c1', pinned: true }, createdAt: 1 },
			{ id: 2, name: 'message.create', args: { id: 'q', conversationId: 'c2', parentId: null, content: 'Hi', createdAt: 2 }, createdAt: 2 },
			{ id: 3, name: 'generation.request', args: { id: 'g', conversationId: 'c2', userMessageId: 'q', assistantMessageId: 'a', createdAt: 3 }, createdAt: 3 },
			{ id: 4, name: 'message.delete', args: { id: 'pulled' }, createdAt: 4 },
			{ id: 5, name: 'message.delete', args: { id: 'a' }, createdAt: 5 },
			{ id: 6, name: 'generation.cancel', args: { id: 'g' }, createdAt: 6 },
			{ id: 7, name: 'message.delete', args: { id: 'unknown' }, createdAt: 7 }
		];
		for (const entry of v1Entries) await v1.outbox.put(entry as unknown as OutboxEntry);
		v1.close();

		const current = new PhosphorDb('phosphor-v2', deps);
		await current.open();
		expect((await current.outbox.toArray()).map((e) => [e.id, e.conversationId])).toEqual([
			[1, 'c1'],
			[2, 'c2'],
			[3, 'c2'],
			[4, 'c1'],
			[5, 'c2'],
			[6, 'c2'],
			[7, null]
		]);
		expect((await current.outbox.where('conversationId').equals('c2').toArray()).map((e) => e.id)).toEqual([2, 3, 5, 6]);
		current.close();
	});

	it('opens a database of the current version unchanged', async () => {
		const deps = { indexedDB: new IDBFactory(), IDBKeyRange };
		const first = new PhosphorDb('phosphor-same', deps);
		await first.conversations.put(conversationRow({ id: 'c1' }));
		first.close();
		const again = new PhosphorDb('phosphor-same', deps);
		expect(await again.conversations.count()).toBe(1);
		again.close();
	});
});
