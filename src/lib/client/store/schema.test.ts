import 'fake-indexeddb/auto';
import { IDBFactory, IDBKeyRange } from 'fake-indexeddb';
import { describe, expect, it } from 'vitest';
import { PhosphorDb } from './db';
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
		await v1.outbox.put({ id: 1, name: 'conversation.pin', args: { id: 'c1', pinned: true }, createdAt: 5 });
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
