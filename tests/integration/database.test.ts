import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { migrationsApplied, openDatabase } from '../../server/db/client';
import { tempDir } from '../helpers/temp-dir';

describe('database', () => {
	const dirs: Array<{ cleanup(): void }> = [];
	afterEach(() => dirs.splice(0).forEach((d) => d.cleanup()));
	const newPath = () => {
		const dir = tempDir();
		dirs.push(dir);
		return `${dir.path}/nested/dir/phosphor.db`;
	};

	it('opens with WAL, foreign keys, a busy timeout and synchronous=FULL', () => {
		const { sqlite, close } = openDatabase(newPath());
		expect(sqlite.pragma('journal_mode', { simple: true })).toBe('wal');
		expect(sqlite.pragma('foreign_keys', { simple: true })).toBe(1);
		expect(sqlite.pragma('busy_timeout', { simple: true })).toBe(5000);
		expect(sqlite.pragma('synchronous', { simple: true })).toBe(2); // 2 = FULL
		close();
	});

	it('applies every migration to an empty database', () => {
		const { sqlite, close } = openDatabase(newPath());
		const tables = sqlite
			.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
			.all()
			.map((r) => (r as { name: string }).name);
		expect(tables).toEqual(expect.arrayContaining(['users', 'sessions', 'conversations', 'messages']));
		expect(migrationsApplied(sqlite)).toBe(true);
		close();
	});

	it('reopens an existing database without re-applying migrations or losing rows', () => {
		const path = newPath();
		const first = openDatabase(path);
		first.sqlite
			.prepare("INSERT INTO users (id, username, username_key, password_hash) VALUES ('u1', 'Ada', 'ada', 'x')")
			.run();
		const applied = first.sqlite.prepare('SELECT count(*) AS n FROM __drizzle_migrations').get();
		first.close();

		const second = openDatabase(path);
		expect(second.sqlite.prepare('SELECT count(*) AS n FROM __drizzle_migrations').get()).toEqual(applied);
		expect(second.sqlite.prepare('SELECT username FROM users').all()).toEqual([{ username: 'Ada' }]);
		second.close();
	});

	it('refuses a path it cannot write with a message a person can act on', () => {
		const dir = tempDir();
		dirs.push(dir);
		// A regular file where a directory should be: fails even for root.
		const blocker = `${dir.path}/not-a-dir`;
		new Database(blocker).close();
		expect(() => openDatabase(`${blocker}/phosphor.db`)).toThrow(/Cannot open the database at .*DATABASE_PATH/);
	});

	it('keeps foreign keys enforced: a session for a missing user is rejected', () => {
		const { sqlite, close } = openDatabase(newPath());
		expect(() =>
			sqlite
				.prepare("INSERT INTO sessions (token_hash, user_id, expires_at, last_seen_at) VALUES ('h', 'nobody', 1, 1)")
				.run()
		).toThrow(/FOREIGN KEY/);
		close();
	});
});
