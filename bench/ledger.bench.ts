import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { nanoUsd } from '../src/lib/domain/money';
import { BatchedWriter } from '../server/db/batched-writer';
import { openDatabase } from '../server/db/client';
import { users } from '../server/db/schema';
import { addTeamMember, createTeam, setBudget } from '../server/ledger/budgets';
import { Ledger } from '../server/ledger/ledger';
import { fmt, percentile, report } from './lib/stats';

const PAIRS = 40_000;
/** Reservations in flight at once: a busy team server, not one request at a time. */
const IN_FLIGHT = 256;

/**
 * Reserve + settle pairs per second on one core, on a real file with synchronous=FULL: each pair
 * is two ledger rows (a reservation, a settlement) and two group-committed operations; the budget
 * checks read running totals kept in memory.
 */
export async function ledgerBench(): Promise<void> {
	const dir = mkdtempSync(join(tmpdir(), 'phosphor-ledger-bench-'));
	const database = openDatabase(join(dir, 'ledger.db'));
	try {
		const { db, sqlite } = database;
		db.insert(users).values({ id: 'u1', username: 'bench', usernameKey: 'bench', passwordHash: 'x', createdAt: 0 }).run();
		createTeam(db, 'bench-team');
		addTeamMember(db, 'bench-team', 'bench');
		// Both budgets apply, so every reservation checks two limits and bumps two scopes.
		setBudget(db, { scope: 'user', name: 'bench', limitUsd: '1000000', period: 'month' });
		setBudget(db, { scope: 'team', name: 'bench-team', limitUsd: '1000000', period: 'day' });
		const ledger = new Ledger(sqlite, new BatchedWriter(sqlite));
		const latencies: number[] = [];
		let next = 0;
		const cpuBefore = process.cpuUsage();
		const started = performance.now();
		await Promise.all(
			Array.from({ length: IN_FLIGHT }, async () => {
				for (let i = next++; i < PAIRS; i = next++) {
					const t0 = performance.now();
					await ledger.reserve({ generationId: `g${i}`, userId: 'u1', model: 'sim/x', amountNanoUsd: nanoUsd(5_000_000) });
					latencies.push(performance.now() - t0);
					const t1 = performance.now();
					await ledger.settle({ generationId: `g${i}`, amountNanoUsd: nanoUsd(1_234_567), source: 'provider', model: 'sim/x', tokensIn: 10, tokensOut: 20 });
					latencies.push(performance.now() - t1);
				}
			})
		);
		const seconds = (performance.now() - started) / 1000;
		const cpu = process.cpuUsage(cpuBefore);
		const cpuSeconds = (cpu.user + cpu.system) / 1e6;
		console.log(`  ${PAIRS} pairs in ${fmt(seconds)} s wall, ${fmt(cpuSeconds)} s CPU (one thread), ${IN_FLIGHT} in flight, file DB, synchronous=FULL`);
		const rate = PAIRS / seconds;
		report('reserve + settle pairs per second (wall, one core)', fmt(rate, 0), '≥ 20000', rate >= 20_000);
		report('commit latency p50 / p99 (call → durable)', `${fmt(percentile(latencies, 50))} / ${fmt(percentile(latencies, 99))} ms`, 'info', null);
		// What a boot pays for keeping the totals in memory: summing them from every row.
		const rows = (sqlite.prepare('SELECT count(*) AS n FROM ledger_records').get() as { n: number }).n;
		const rebuildStarted = performance.now();
		new Ledger(sqlite, new BatchedWriter(sqlite));
		report(`running totals rebuilt at boot from ${rows} rows`, `${fmt(performance.now() - rebuildStarted, 1)} ms`, 'info', null);
	} finally {
		database.close();
		rmSync(dir, { recursive: true, force: true });
	}
}
