import Database from 'better-sqlite3';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { openDatabase, type Db, type OpenDatabase } from '../../server/db/client';
import { conversations, users } from '../../server/db/schema';
import { pull } from '../../server/sync/pull';
import { tempDir } from '../helpers/temp-dir';

/**
 * The server has a second writer (the commit thread, server/db/commit-thread.ts), which may commit
 * between two of a pull's queries. Here another connection commits at exactly that point, every time.
 */
describe('sync.pull reads one snapshot', () => {
	const dir = tempDir();
	const open: Array<OpenDatabase | Database.Database> = [];
	afterEach(() => {
		for (const db of open.splice(0)) db.close();
	});
	afterAll(() => dir.cleanup());

	it('a commit between its queries neither splits the page nor lets the cursor pass a row it did not send', () => {
		const path = `${dir.path}/snapshot-${Date.now()}.db`;
		const database = openDatabase(path);
		const other = new Database(path);
		other.pragma('busy_timeout = 5000');
		open.push(database, other);
		const { db } = database;
		db.insert(users).values({ id: 'u1', username: 'ada', usernameKey: 'ada', passwordHash: 'x', createdAt: 0 }).run();
		db.insert(conversations).values({ id: 'c1', userId: 'u1', title: 'One', model: 'm', createdAt: 1, updatedAt: 1 }).run();
		const before = pull(db, 'u1', { cursor: 0 });
		expect(before.conversations.map((c) => c.id)).toEqual(['c1']);

		// After the page's first query: c1 changes (its version passes the cursor), then a message
		// comes after it. A page that saw the message but not c1 would move the cursor past c1's change.
		let selects = 0;
		const racing = new Proxy(db, {
			get(target, key, receiver) {
				const value: unknown = Reflect.get(target, key, receiver);
				if (key !== 'select' || typeof value !== 'function') return typeof value === 'function' ? value.bind(target) : value;
				return (...args: unknown[]) => {
					if (++selects === 3) {
						other.prepare("UPDATE conversations SET title = 'Renamed', updated_at = 2 WHERE id = 'c1'").run();
						other
							.prepare("INSERT INTO messages (id, conversation_id, user_id, role, content, status, created_at) VALUES ('m1', 'c1', 'u1', 'user', 'Hi', 'complete', 2)")
							.run();
					}
					return (value as (...a: unknown[]) => unknown).apply(target, args);
				};
			}
		}) as Db;
		const page = pull(racing, 'u1', { cursor: before.cursor, clientId: 'client-1' });
		expect(selects).toBeGreaterThan(3);
		// The snapshot began before the other commit: the page holds neither change and its cursor
		// stays before both, so the next pull brings them together.
		expect(page.conversations).toEqual([]);
		expect(page.messages).toEqual([]);
		expect(page.cursor).toBe(before.cursor);
		const next = pull(db, 'u1', { cursor: page.cursor });
		expect(next.conversations.map((c) => [c.id, c.title])).toEqual([['c1', 'Renamed']]);
		expect(next.messages.map((m) => m.id)).toEqual(['m1']);
	});
});
