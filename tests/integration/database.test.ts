import Database from 'better-sqlite3';
import { drizzle } from 'drizzle-orm/better-sqlite3';
import { migrate } from 'drizzle-orm/better-sqlite3/migrator';
import { cpSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { BatchedWriter } from '../../server/db/batched-writer';
import { MIGRATIONS_DIR, migrationsApplied, openDatabase } from '../../server/db/client';
import { Ledger } from '../../server/ledger/ledger';
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

	it('the sync migration gives rows that existed before it distinct versions above zero, and owners to messages', () => {
		const path = newPath();
		const dir = tempDir();
		dirs.push(dir);
		// The database as the release before sync left it: migrations 0000–0003 only.
		cpSync(MIGRATIONS_DIR, dir.path, { recursive: true });
		const journal = JSON.parse(readFileSync(`${dir.path}/meta/_journal.json`, 'utf8')) as { entries: Array<{ tag: string }> };
		journal.entries = journal.entries.filter((e) => e.tag < '0004');
		writeFileSync(`${dir.path}/meta/_journal.json`, JSON.stringify(journal));
		mkdirSync(dirname(path), { recursive: true });
		const old = new Database(path);
		migrate(drizzle(old), { migrationsFolder: dir.path });
		old.exec(`INSERT INTO users (id, username, username_key, password_hash) VALUES ('u1', 'ada', 'ada', 'x');
			INSERT INTO conversations (id, user_id, title, model, updated_at) VALUES ('c1', 'u1', 'One', 'm', 1), ('c2', 'u1', 'Two', 'm', 1);
			INSERT INTO messages (id, conversation_id, role, content, status) VALUES ('m1', 'c1', 'user', 'hi', 'complete'), ('m2', 'c1', 'assistant', 'yo', 'complete');
			INSERT INTO generations (id, user_id, conversation_id, models, state) VALUES ('g1', 'u1', 'c1', '["m"]', 'done'), ('g2', 'u1', NULL, '["m"]', 'done');`);
		old.close();

		const { sqlite, close } = openDatabase(path);
		const versions = sqlite
			.prepare("SELECT version FROM conversations UNION ALL SELECT version FROM messages UNION ALL SELECT version FROM generations WHERE conversation_id IS NOT NULL")
			.all()
			.map((r) => (r as { version: number }).version);
		expect(versions).toHaveLength(5);
		expect(new Set(versions).size).toBe(5);
		expect(Math.min(...versions)).toBeGreaterThan(0);
		expect(sqlite.prepare('SELECT version FROM sync_counter').get()).toEqual({ version: Math.max(...versions) });
		expect(sqlite.prepare('SELECT DISTINCT user_id FROM messages').all()).toEqual([{ user_id: 'u1' }]);
		// New changes continue above the backfilled versions.
		sqlite.exec("UPDATE conversations SET title = 'Renamed' WHERE id = 'c2'");
		expect(sqlite.prepare("SELECT version FROM conversations WHERE id = 'c2'").get()).toEqual({ version: Math.max(...versions) + 1 });
		close();
	});

	it('the ledger migration folds each release and charge into one settlement row; the entries read as before, and the totals sum from them', () => {
		const path = newPath();
		const dir = tempDir();
		dirs.push(dir);
		// The database as the release before it left it: migrations 0000–0004, entries in their old shape.
		cpSync(MIGRATIONS_DIR, dir.path, { recursive: true });
		const journal = JSON.parse(readFileSync(`${dir.path}/meta/_journal.json`, 'utf8')) as { entries: Array<{ tag: string }> };
		journal.entries = journal.entries.filter((e) => e.tag < '0005');
		writeFileSync(`${dir.path}/meta/_journal.json`, JSON.stringify(journal));
		mkdirSync(dirname(path), { recursive: true });
		const old = new Database(path);
		migrate(drizzle(old), { migrationsFolder: dir.path });
		const day = Date.UTC(2026, 0, 31, 12);
		old.exec(`INSERT INTO users (id, username, username_key, password_hash) VALUES ('u1', 'ada', 'ada', 'x');
			INSERT INTO ledger_entries (generation_id, user_id, team_id, kind, amount_nano_usd, source, model, tokens_in, tokens_out, period_at, created_at) VALUES
				('g1', 'u1', 't1', 'reservation', 5000, NULL, 'sim/a', NULL, NULL, ${day}, ${day}),
				('g2', 'u1', 't1', 'reservation', 700, NULL, 'sim/a', NULL, NULL, ${day}, ${day}),
				('g1', 'u1', 't1', 'release', -5000, NULL, 'sim/a', NULL, NULL, ${day}, ${day + 1}),
				('g1', 'u1', 't1', 'charge', 1234, 'estimate', 'sim/b', 10, 20, ${day}, ${day + 1}),
				('g1', 'u1', 't1', 'correction', -34, 'generation-lookup', 'sim/b', NULL, NULL, ${day}, ${day + 86_400_000});
			INSERT INTO spend_counters (scope, period_key, spent_nano_usd, reserved_nano_usd) VALUES ('user:u1', 'day:2026-01-31', 1200, 700);`);
		const before = old.prepare('SELECT generation_id, user_id, team_id, kind, amount_nano_usd, source, model, tokens_in, tokens_out, period_at, created_at FROM ledger_entries ORDER BY id').all();
		old.close();

		const { sqlite, close } = openDatabase(path);
		expect(sqlite.prepare('SELECT generation_id, user_id, team_id, kind, amount_nano_usd, source, model, tokens_in, tokens_out, period_at, created_at FROM ledger_entries ORDER BY id').all()).toEqual(before);
		expect(sqlite.prepare('SELECT generation_id, kind, amount_nano_usd, released_nano_usd FROM ledger_records ORDER BY id').all()).toEqual([
			{ generation_id: 'g1', kind: 'reservation', amount_nano_usd: 5000, released_nano_usd: null },
			{ generation_id: 'g2', kind: 'reservation', amount_nano_usd: 700, released_nano_usd: null },
			{ generation_id: 'g1', kind: 'settlement', amount_nano_usd: 1234, released_nano_usd: 5000 },
			{ generation_id: 'g1', kind: 'correction', amount_nano_usd: -34, released_nano_usd: null }
		]);
		expect(sqlite.prepare("SELECT count(*) AS n FROM sqlite_master WHERE name = 'spend_counters'").get()).toEqual({ n: 0 });
		// The counters the old release kept on disk are what the ledger now sums in memory at boot.
		const ledger = new Ledger(sqlite, new BatchedWriter(sqlite), () => day);
		expect(ledger.usage('user', 'u1')).toMatchObject({ spent: 1200, reserved: 700, periodKey: 'month:2026-01' });
		// New rows go on after the old ones, and a settlement is still once per generation.
		sqlite.prepare("INSERT INTO ledger_records (generation_id, user_id, kind, amount_nano_usd, released_nano_usd, period_at, created_at) VALUES ('g2', 'u1', 'settlement', 1, 700, 0, 0)").run();
		expect(() => sqlite.prepare("INSERT INTO ledger_records (generation_id, user_id, kind, amount_nano_usd, released_nano_usd, period_at, created_at) VALUES ('g2', 'u1', 'settlement', 1, 700, 0, 0)").run()).toThrow(/UNIQUE/);
		close();
	});
});
