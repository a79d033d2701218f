import fc from 'fast-check';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { nanoUsd, parseUsd } from '../../src/lib/domain/money';
import { BatchedWriter } from '../db/batched-writer';
import { openDatabase, type OpenDatabase } from '../db/client';
import { ledgerEntries, users } from '../db/schema';
import { setBudget } from './budgets';
import { Ledger } from './ledger';
import { BudgetExceededError } from './ledger-errors';

const opened: Array<{ database: OpenDatabase; writers: BatchedWriter[]; dir: string | null }> = [];
afterEach(async () => {
	for (const { database, writers, dir } of opened.splice(0)) {
		for (const writer of writers) await writer.close();
		database.close();
		if (dir) rmSync(dir, { recursive: true, force: true });
	}
});

/**
 * Every test runs twice: with the writes on the ledger's own connection (an in-memory database, as
 * the CLI and most tests have it), and on a file with the server's commit thread.
 */
describe.each([
	['on its own connection', false],
	['with a commit thread', true]
])('Ledger, %s', (_mode, thread) => {
	function setup(now: () => number = Date.now) {
		const dir = thread ? mkdtempSync(join(tmpdir(), 'phosphor-ledger-')) : null;
		const database = openDatabase(dir ? join(dir, 'ledger.db') : ':memory:');
		const writers: BatchedWriter[] = [];
		opened.push({ database, writers, dir });
		database.db.insert(users).values({ id: 'u1', username: 'ada', usernameKey: 'ada', passwordHash: 'x', createdAt: 0 }).run();
		const newWriter = () => {
			const writer = new BatchedWriter(database.sqlite, { thread });
			writers.push(writer);
			return writer;
		};
		const ledger = new Ledger(database.sqlite, newWriter(), now);
		return { ...database, ledger, newWriter };
	}

	it('10k random usages: the ledger total equals the exact sum of billed costs', async () => {
		// Costs as OpenRouter reports them: JSON numbers of USD, some with many decimals.
		const costs = fc.sample(
			fc.oneof(
				fc.integer({ min: 0, max: 50_000_000 }).map((n) => n / 1e9),
				fc.double({ min: 0, max: 0.5, noNaN: true, noDefaultInfinity: true }),
				fc.constantFrom(0, 1.1e-7, 0.00011, 2e-9, 0.0003775)
			),
			10_000
		);
		const { ledger, sqlite } = setup();
		await Promise.all(
			costs.map(async (cost, i) => {
				await ledger.reserve({ generationId: `g${i}`, userId: 'u1', model: 'sim/x', amountNanoUsd: nanoUsd(1_000_000_000) });
				await ledger.settle({ generationId: `g${i}`, amountNanoUsd: parseUsd(cost), source: 'provider', model: 'sim/x', tokensIn: 1, tokensOut: 1 });
			})
		);
		const expected = costs.reduce((sum, c) => sum + BigInt(parseUsd(c)), 0n);
		const charged = sqlite.prepare("SELECT sum(amount_nano_usd) AS s, count(*) AS n FROM ledger_entries WHERE kind = 'charge'").get() as { s: number; n: number };
		expect(BigInt(charged.s)).toBe(expected);
		expect(charged.n).toBe(10_000);
		const usage = ledger.usage('user', 'u1');
		expect(BigInt(usage.spent)).toBe(expected);
		expect(usage.reserved).toBe(0);
	}, 60_000);

	it('admits at most what the budget allows when many reservations race', async () => {
		const { ledger, db } = setup();
		setBudget(db, { scope: 'user', name: 'ada', limitUsd: '1', period: 'month' });
		const each = nanoUsd(100_000_000); // $0.10: ten fit in $1
		const results = await Promise.allSettled(
			Array.from({ length: 200 }, (_, i) => ledger.reserve({ generationId: `r${i}`, userId: 'u1', model: 'm', amountNanoUsd: each }))
		);
		const admitted = results.filter((r) => r.status === 'fulfilled').length;
		expect(admitted).toBe(10);
		expect(results.filter((r) => r.status === 'rejected').every((r) => (r as PromiseRejectedResult).reason instanceof BudgetExceededError)).toBe(true);
		const usage = ledger.usage('user', 'u1');
		expect(usage.reserved).toBe(1_000_000_000);
		expect(usage.spent + usage.reserved).toBeLessThanOrEqual(usage.limit ?? 0);
	});

	it('settles each generation at most once, and frees its reservation', async () => {
		const { ledger, db } = setup();
		await ledger.reserve({ generationId: 'g', userId: 'u1', model: 'm', amountNanoUsd: nanoUsd(500) });
		const settle = () => ledger.settle({ generationId: 'g', amountNanoUsd: nanoUsd(120), source: 'provider', model: 'm', tokensIn: 3, tokensOut: 4 });
		expect(await settle()).toEqual([]);
		expect(await settle()).toBeNull();
		const kinds = db.select({ kind: ledgerEntries.kind, amount: ledgerEntries.amountNanoUsd }).from(ledgerEntries).all();
		expect(kinds).toEqual([
			{ kind: 'reservation', amount: 500 },
			{ kind: 'release', amount: -500 },
			{ kind: 'charge', amount: 120 }
		]);
		expect(ledger.usage('user', 'u1')).toMatchObject({ spent: 120, reserved: 0, limit: null, period: 'month' });
	});

	it('refuses a reservation that would pass the limit, and writes nothing for it', async () => {
		const { ledger, db } = setup();
		setBudget(db, { scope: 'user', name: 'ada', limitUsd: '0.000001', period: 'day' });
		await expect(ledger.reserve({ generationId: 'big', userId: 'u1', model: 'm', amountNanoUsd: nanoUsd(1_001) })).rejects.toThrow(/Budget exceeded/);
		expect(db.select().from(ledgerEntries).all()).toEqual([]);
	});

	it('alerts once per threshold per period, as spend crosses it', async () => {
		let now = Date.UTC(2026, 10, 23, 12);
		const { ledger, db } = setup(() => now);
		setBudget(db, { scope: 'user', name: 'ada', limitUsd: '0.000001', period: 'day', alertThresholds: [50, 100] }); // 1000 nano
		const spend = async (id: string, amount: number) => {
			await ledger.reserve({ generationId: id, userId: 'u1', model: 'm', amountNanoUsd: nanoUsd(amount) });
			return (await ledger.settle({ generationId: id, amountNanoUsd: nanoUsd(amount), source: 'provider', model: 'm', tokensIn: 1, tokensOut: 1 })) ?? [];
		};
		expect(await spend('a', 400)).toEqual([]);
		expect((await spend('b', 200)).map((a) => a.threshold)).toEqual([50]);
		expect(await spend('c', 100)).toEqual([]);
		expect((await spend('d', 300)).map((a) => a.threshold)).toEqual([100]);
		// The next day is a new period: its own alerts, from zero.
		now += 24 * 60 * 60 * 1000;
		expect((await spend('e', 600)).map((a) => [a.threshold, a.periodKey])).toEqual([[50, 'day:2026-11-24']]);
	});

	it('rebuilds its running totals from the ledger when built again (at boot), open reservations included', async () => {
		let now = Date.UTC(2026, 10, 30, 23, 59);
		const { ledger, sqlite, db, newWriter } = setup(() => now);
		setBudget(db, { scope: 'user', name: 'ada', limitUsd: '1', period: 'day' });
		await ledger.reserve({ generationId: 'a', userId: 'u1', model: 'm', amountNanoUsd: nanoUsd(500) });
		await ledger.reserve({ generationId: 'b', userId: 'u1', model: 'm', amountNanoUsd: nanoUsd(700) });
		// Settled the next day (and month): it still counts in the period it started in.
		now += 2 * 60_000;
		await ledger.settle({ generationId: 'a', amountNanoUsd: nanoUsd(120), source: 'estimate', model: 'm', tokensIn: 1, tokensOut: 1 });
		await ledger.correct({ generationId: 'a', deltaNanoUsd: 3, source: 'generation-lookup', model: 'm' });
		await ledger.reserve({ generationId: 'c', userId: 'u1', model: 'm', amountNanoUsd: nanoUsd(40) });
		const rebuilt = new Ledger(sqlite, newWriter(), () => now);
		expect(rebuilt.usage('user', 'u1')).toEqual(ledger.usage('user', 'u1'));
		expect(rebuilt.usage('user', 'u1')).toMatchObject({ spent: 0, reserved: 40, periodKey: 'day:2026-12-01' });
		now -= 2 * 60_000;
		expect(rebuilt.usage('user', 'u1')).toMatchObject({ spent: 123, reserved: 700, periodKey: 'day:2026-11-30' });
		// A settlement from the rebuilt ledger finds its reservation on disk.
		expect(await rebuilt.settle({ generationId: 'b', amountNanoUsd: nanoUsd(9), source: 'provider', model: 'm', tokensIn: 1, tokensOut: 1 })).toEqual([]);
		expect(rebuilt.usage('user', 'u1')).toMatchObject({ spent: 132, reserved: 0 });
	});

	it('a reservation or settlement the database refuses leaves the totals as they were', async () => {
		const { sqlite, ledger } = setup();
		await ledger.reserve({ generationId: 'y', userId: 'u1', model: 'm', amountNanoUsd: nanoUsd(50) });
		// Persistent, so that the commit thread's connection sees it too.
		sqlite.exec("CREATE TRIGGER refuse BEFORE INSERT ON ledger_records BEGIN SELECT RAISE(ABORT, 'disk full (test)'); END");
		const failed = await Promise.allSettled([
			ledger.reserve({ generationId: 'z', userId: 'u1', model: 'm', amountNanoUsd: nanoUsd(70) }),
			ledger.settle({ generationId: 'y', amountNanoUsd: nanoUsd(20), source: 'provider', model: 'm', tokensIn: 1, tokensOut: 1 })
		]);
		sqlite.exec('DROP TRIGGER refuse');
		expect(failed.map((r) => r.status)).toEqual(['rejected', 'rejected']);
		expect(ledger.usage('user', 'u1')).toMatchObject({ spent: 0, reserved: 50 });
		expect(await ledger.settle({ generationId: 'y', amountNanoUsd: nanoUsd(20), source: 'provider', model: 'm', tokensIn: 1, tokensOut: 1 })).toEqual([]);
		expect(ledger.usage('user', 'u1')).toMatchObject({ spent: 20, reserved: 0 });
	});

	it.skipIf(thread)('a reservation or settlement that does not commit leaves the totals as they were', async () => {
		const { sqlite, newWriter } = setup();
		const writer = newWriter();
		const own = new Ledger(sqlite, writer);
		// Rolled back with its operation: the reservation went in, then the operation failed.
		await expect(
			writer.run(() => {
				own.reserveNow({ generationId: 'x', userId: 'u1', model: 'm', amountNanoUsd: nanoUsd(900) });
				throw new Error('later step failed');
			})
		).rejects.toThrow('later step failed');
		expect(own.usage('user', 'u1')).toMatchObject({ spent: 0, reserved: 0 });
		// The whole batch's COMMIT fails: every operation in it is undone, in memory too.
		await own.reserve({ generationId: 'y', userId: 'u1', model: 'm', amountNanoUsd: nanoUsd(50) });
		const exec = sqlite.exec.bind(sqlite);
		sqlite.exec = (sql: string) => {
			if (sql === 'COMMIT') throw new Error('disk full');
			return exec(sql);
		};
		const failed = await Promise.allSettled([
			own.reserve({ generationId: 'z', userId: 'u1', model: 'm', amountNanoUsd: nanoUsd(70) }),
			own.settle({ generationId: 'y', amountNanoUsd: nanoUsd(20), source: 'provider', model: 'm', tokensIn: 1, tokensOut: 1 })
		]);
		sqlite.exec = exec;
		expect(failed.map((r) => r.status)).toEqual(['rejected', 'rejected']);
		expect(own.usage('user', 'u1')).toMatchObject({ spent: 0, reserved: 50 });
		expect(await own.settle({ generationId: 'y', amountNanoUsd: nanoUsd(20), source: 'provider', model: 'm', tokensIn: 1, tokensOut: 1 })).toEqual([]);
		expect(own.usage('user', 'u1')).toMatchObject({ spent: 20, reserved: 0 });
	});
});
