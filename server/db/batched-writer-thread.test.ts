import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { BatchedWriter } from './batched-writer';
import { applyPragmas } from './client';

const open: Array<{ writer: BatchedWriter; sqlite: Database.Database; dir: string }> = [];

function setup() {
	const dir = mkdtempSync(join(tmpdir(), 'phosphor-writer-'));
	const sqlite = new Database(join(dir, 'w.db'));
	applyPragmas(sqlite);
	sqlite.exec(`
		CREATE TABLE t (id INTEGER PRIMARY KEY, v INTEGER UNIQUE);
		CREATE TABLE parent (id INTEGER PRIMARY KEY);
		-- Checked at COMMIT: a way to make a whole batch fail where the thread commits it.
		CREATE TABLE child (id INTEGER PRIMARY KEY, parent INTEGER REFERENCES parent (id) DEFERRABLE INITIALLY DEFERRED);
		CREATE TABLE seen (name TEXT, value TEXT);
	`);
	const writer = new BatchedWriter(sqlite, { thread: true });
	open.push({ writer, sqlite, dir });
	const insert = writer.statement<[number]>('INSERT INTO t (v) VALUES (?)');
	const values = () => (sqlite.prepare('SELECT v FROM t ORDER BY id').all() as Array<{ v: number }>).map((r) => r.v);
	return { sqlite, writer, insert, values, file: join(dir, 'w.db') };
}

afterEach(async () => {
	for (const { writer, sqlite, dir } of open.splice(0)) {
		await writer.close();
		sqlite.close();
		rmSync(dir, { recursive: true, force: true });
	}
});

describe('BatchedWriter with a commit thread', () => {
	it('commits statements on the thread: durable for every connection once the promise resolves; an idle thread takes the first at once, the rest share the next batch', async () => {
		const { writer, insert, file } = setup();
		expect(writer.threaded).toBe(true);
		const changes = await Promise.all([1, 2, 3, 4].map((v) => writer.write([insert.call([v])])));
		expect(changes).toEqual([[1], [1], [1], [1]]);
		expect(writer.commits).toBe(2);
		const other = new Database(file, { readonly: true });
		expect(other.prepare('SELECT count(*) AS n FROM t').get()).toEqual({ n: 4 });
		other.close();
	});

	it('a write someone waits on takes the `later` statements queued before it to an idle thread at once, in one batch', async () => {
		const { writer, insert, values } = setup();
		await writer.write([insert.call([0])]);
		const before = writer.commits;
		const later = [writer.write([insert.call([1])], { commit: 'later' }), writer.write([insert.call([2])], { commit: 'later' })];
		const now = writer.write([insert.call([3])]);
		// Sent already, not at the end of this turn or the `later` timer's: what comes next waits for it.
		const next = writer.write([insert.call([4])]);
		await Promise.all([...later, now, next]);
		expect(writer.commits - before).toBe(2);
		expect(values()).toEqual([0, 1, 2, 3, 4]);
	});

	it('runs the thread’s connection with the same pragmas: WAL, foreign keys, synchronous=FULL', async () => {
		const { writer, sqlite } = setup();
		const record = writer.statement<[]>(
			`INSERT INTO seen SELECT 'synchronous', synchronous FROM pragma_synchronous
			 UNION ALL SELECT 'journal_mode', journal_mode FROM pragma_journal_mode
			 UNION ALL SELECT 'foreign_keys', foreign_keys FROM pragma_foreign_keys`
		);
		await writer.write([record.call([])]);
		const seen = Object.fromEntries((sqlite.prepare('SELECT name, value FROM seen').all() as Array<{ name: string; value: string }>).map((r) => [r.name, String(r.value)]));
		// synchronous: 2 is FULL.
		expect(seen).toEqual({ synchronous: '2', journal_mode: 'wal', foreign_keys: '1' });
	});

	it('keeps one order across both kinds: a closure runs only after the thread’s batch before it has committed', async () => {
		const { writer, sqlite, insert, values } = setup();
		const count = sqlite.prepare('SELECT count(*) AS n FROM t');
		const rawInsert = sqlite.prepare('INSERT INTO t (v) VALUES (?)');
		const first = writer.write([insert.call([1])]);
		const seenByClosure = writer.run(() => {
			rawInsert.run(2);
			return (count.get() as { n: number }).n;
		});
		const third = writer.write([insert.call([3])]);
		await Promise.all([first, seenByClosure, third]);
		expect(await seenByClosure).toBe(2);
		expect(values()).toEqual([1, 2, 3]);
	});

	it('while a batch is on the thread, everything queued meanwhile shares the next one', async () => {
		const { writer, sqlite, insert, values } = setup();
		// Another writer holds the lock: the thread's first batch waits (busy_timeout) until it lets go.
		sqlite.exec('BEGIN IMMEDIATE');
		const first = writer.write([insert.call([0])]);
		const rest: Array<Promise<number[]>> = [];
		for (let turn = 1; turn <= 5; turn++) {
			await new Promise((resolve) => setImmediate(resolve));
			for (let i = 0; i < 10; i++) rest.push(writer.write([insert.call([turn * 100 + i])]));
		}
		sqlite.exec('COMMIT');
		await Promise.all([first, ...rest]);
		expect(values()).toHaveLength(51);
		expect(writer.commits).toBe(2);
	});

	it('rolls back a failing operation alone, rejects only it and runs only its undo', async () => {
		const { writer, insert, values } = setup();
		const undone: string[] = [];
		const outcomes = await Promise.allSettled([
			writer.write([insert.call([1])], { undo: () => undone.push('a') }),
			// Its first insert is undone with it: the second breaks the unique index.
			writer.write([insert.call([2]), insert.call([1])], { undo: () => undone.push('b') }),
			writer.write([insert.call([3])], { undo: () => undone.push('c') })
		]);
		expect(outcomes.map((o) => o.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
		expect((outcomes[1] as PromiseRejectedResult).reason).toMatchObject({ code: 'SQLITE_CONSTRAINT_UNIQUE' });
		expect(undone).toEqual(['b']);
		expect(values()).toEqual([1, 3]);
	});

	it('a batch whose COMMIT fails rejects every operation in it and undoes them all, last first', async () => {
		const { writer, insert, sqlite, values } = setup();
		const orphan = writer.statement<[number]>('INSERT INTO child (parent) VALUES (?)');
		const undone: string[] = [];
		// The first write goes to the idle thread at once; the next two wait for it and share a batch.
		const first = writer.write([insert.call([0])]);
		const both = Promise.allSettled([
			writer.write([insert.call([1])], { undo: () => undone.push('a') }),
			writer.write([orphan.call([99])], { undo: () => undone.push('b') })
		]);
		await first;
		const outcomes = await both;
		expect(outcomes.map((o) => o.status)).toEqual(['rejected', 'rejected']);
		expect((outcomes[0] as PromiseRejectedResult).reason).toMatchObject({ message: expect.stringMatching(/FOREIGN KEY/) });
		expect(undone).toEqual(['b', 'a']);
		expect(values()).toEqual([0]);
		expect(sqlite.prepare('SELECT count(*) AS n FROM child').get()).toEqual({ n: 0 });
		// The thread goes on: the next batch commits.
		await writer.write([insert.call([2])]);
		expect(values()).toEqual([0, 2]);
	});

	it('close commits what is queued, then later writes commit on the writer’s own connection', async () => {
		const { writer, insert, values } = setup();
		const queued = writer.write([insert.call([1])], { commit: 'later' });
		await writer.close();
		await queued;
		expect(writer.threaded).toBe(false);
		await writer.write([insert.call([2])]);
		expect(values()).toEqual([1, 2]);
	});

	it('an in-memory database has no thread: statements commit on the connection itself', async () => {
		const sqlite = new Database(':memory:');
		sqlite.exec('CREATE TABLE t (v INTEGER)');
		const writer = new BatchedWriter(sqlite, { thread: true });
		expect(writer.threaded).toBe(false);
		const insert = writer.statement<[number]>('INSERT INTO t (v) VALUES (?)');
		expect(await writer.write([insert.call([1])])).toEqual([1]);
		expect(sqlite.prepare('SELECT v FROM t').all()).toEqual([{ v: 1 }]);
		sqlite.close();
	});
});
