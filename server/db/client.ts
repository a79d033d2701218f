import Database from 'better-sqlite3';
import { drizzle, type BetterSQLite3Database } from 'drizzle-orm/better-sqlite3';
import type { BaseSQLiteDatabase } from 'drizzle-orm/sqlite-core';
import { migrate } from 'drizzle-orm/better-sqlite3/migrator';
import { mkdirSync, readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PRAGMAS } from './pragmas';
import * as schema from './schema';

export type Db = BetterSQLite3Database<typeof schema>;

export const MIGRATIONS_DIR = resolve(dirname(fileURLToPath(import.meta.url)), 'migrations');

/** A failure a person can fix (bad path, no permission), reported without a stack trace. */
export class DatabaseOpenError extends Error {
	override name = 'DatabaseOpenError';
}

export interface OpenDatabase {
	db: Db;
	sqlite: Database.Database;
	close(): void;
}

/**
 * Opens SQLite with the pragmas the ledger relies on (docs/architecture.md#configuration-and-storage): WAL for concurrent readers,
 * foreign keys, a busy timeout instead of SQLITE_BUSY, and synchronous=FULL so a settled
 * cost survives power loss. Migrations are applied before anything else touches the file.
 */
export function openDatabase(path: string): OpenDatabase {
	const file = path === ':memory:' ? path : resolve(path);
	let sqlite: Database.Database;
	try {
		if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true });
		sqlite = new Database(file);
		applyPragmas(sqlite);
	} catch (error) {
		throw new DatabaseOpenError(
			`Cannot open the database at ${file}: ${reason(error)}. ` +
				'Set DATABASE_PATH to a file in a directory this process can write.'
		);
	}
	try {
		migrate(drizzle(sqlite), { migrationsFolder: MIGRATIONS_DIR });
	} catch (error) {
		sqlite.close();
		throw new DatabaseOpenError(`Cannot apply migrations to ${file}: ${reason(error)}`);
	}
	const db = drizzle(sqlite, { schema });
	return { db, sqlite, close: () => sqlite.close() };
}

export function applyPragmas(sqlite: Database.Database): void {
	for (const pragma of PRAGMAS) sqlite.pragma(pragma);
	// Writing the pragma alone does not touch the file: a read proves it is really usable.
	sqlite.prepare('SELECT count(*) FROM sqlite_master').get();
}

/** True when every committed migration is recorded as applied in this database. */
export function migrationsApplied(sqlite: Database.Database): boolean {
	const journal = JSON.parse(readFileSync(resolve(MIGRATIONS_DIR, 'meta/_journal.json'), 'utf8')) as {
		entries: unknown[];
	};
	const row = sqlite.prepare('SELECT count(*) AS n FROM __drizzle_migrations').get() as { n: number } | undefined;
	return (row?.n ?? 0) >= journal.entries.length;
}

function reason(error: unknown): string {
	if (error && typeof error === 'object' && 'code' in error) {
		const code = String((error as { code: unknown }).code);
		const known: Record<string, string> = {
			EACCES: 'permission denied',
			EROFS: 'the file system is read-only',
			ENOTDIR: 'a part of the path is a file, not a directory',
			SQLITE_CANTOPEN: 'SQLite cannot open the file',
			SQLITE_READONLY: 'the file is read-only',
			SQLITE_NOTADB: 'the file is not a SQLite database'
		};
		if (known[code]) return `${known[code]} (${code})`;
	}
	return error instanceof Error ? error.message : String(error);
}

/** The database or a transaction on it: services take either, so they compose inside one transaction. */
export type DbOrTx = BaseSQLiteDatabase<'sync', Database.RunResult, typeof schema>;

/**
 * For every transaction that writes on the main connection. The commit thread is a second writer:
 * a deferred transaction that reads first and then writes fails at once with SQLITE_BUSY should
 * the thread commit in between (its snapshot is stale), while one that takes the write lock first
 * waits for the thread's commit (a millisecond) under busy_timeout like any other write.
 */
export const IMMEDIATE = { behavior: 'immediate' } as const;
