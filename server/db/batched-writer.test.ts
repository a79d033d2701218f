import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { BatchedWriter } from './batched-writer';

function setup() {
	const sqlite = new Database(':memory:');
	sqlite.exec('CREATE TABLE t (id INTEGER PRIMARY KEY, v INTEGER UNIQUE)');
	const insert = sqlite.prepare('INSERT INTO t (v) VALUES (?)');
	return { sqlite, insert, writer: new BatchedWriter(sqlite) };
}

describe('BatchedWriter (group commit)', () => {
	it('commits operations queued in one turn in one transaction, in order', async () => {
		const { sqlite, insert, writer } = setup();
		let commits = 0;
		const exec = sqlite.exec.bind(sqlite);
		sqlite.exec = (sql: string) => {
			if (sql === 'COMMIT') commits++;
			return exec(sql);
		};
		const ids = await Promise.all([1, 2, 3].map((v) => writer.run(() => Number(insert.run(v).lastInsertRowid))));
		expect(ids).toEqual([1, 2, 3]);
		expect(commits).toBe(1);
		await writer.run(() => insert.run(4));
		expect(commits).toBe(2);
	});

	it('rolls back a failing operation alone and rejects only its promise', async () => {
		const { sqlite, insert, writer } = setup();
		const outcomes = await Promise.allSettled([
			writer.run(() => insert.run(1)),
			writer.run(() => {
				insert.run(2);
				insert.run(1); // unique violation: this whole operation is undone, its first insert too
			}),
			writer.run(() => insert.run(3))
		]);
		expect(outcomes.map((o) => o.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
		expect(sqlite.prepare('SELECT v FROM t ORDER BY v').all()).toEqual([{ v: 1 }, { v: 3 }]);
	});

	it('sees the writes of earlier operations in the same batch', async () => {
		const { sqlite, insert, writer } = setup();
		const count = sqlite.prepare('SELECT count(*) AS n FROM t');
		const seen = await Promise.all([1, 2, 3].map((v) => writer.run(() => (insert.run(v), (count.get() as { n: number }).n))));
		expect(seen).toEqual([1, 2, 3]);
	});

	it('commits a `later` operation with the next batch `run` starts, or on its own soon after', async () => {
		const { sqlite, insert, writer } = setup();
		let commits = 0;
		const exec = sqlite.exec.bind(sqlite);
		sqlite.exec = (sql: string) => {
			if (sql === 'COMMIT') commits++;
			return exec(sql);
		};
		const lazy = writer.later(() => insert.run(1));
		await writer.run(() => insert.run(2));
		expect(commits).toBe(1);
		await lazy;
		// Alone, it still commits, in order with what follows.
		const alone = writer.later(() => insert.run(3));
		expect(commits).toBe(1);
		await alone;
		expect(commits).toBe(2);
		expect(sqlite.prepare('SELECT v FROM t ORDER BY id').all()).toEqual([{ v: 1 }, { v: 2 }, { v: 3 }]);
	});
});
