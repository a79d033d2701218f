import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseUsd } from '../../src/lib/domain/money';
import { startSimulator, type Simulator } from '../../server/simulator';
import { until } from '../helpers/orchestrator-rig';
import { startServerProcess } from '../helpers/server-process';
import { tempDir } from '../helpers/temp-dir';
import { TrpcHttp } from '../helpers/trpc-http';

const GENERATIONS = 50;

/** kill -9 in the middle of 50 replies, restart: the ledger still equals what the provider billed. */
describe('ledger crash safety (real processes)', () => {
	let sim: Simulator;
	const dir = tempDir();
	const dbPath = `${dir.path}/crash.db`;
	beforeAll(async () => {
		sim = await startSimulator({ port: 0 });
	});
	afterAll(async () => {
		await sim.close();
		dir.cleanup();
	});

	it('after kill -9 during 50 concurrent generations and a restart, everything reconciles', async () => {
		const env = { DATABASE_PATH: dbPath, UPSTREAM_BASE_URL: sim.url, OPENROUTER_API_KEY: 'test', BREAKER_THRESHOLD: '1000' };
		const first = await startServerProcess(env);
		const [, code] = await first.waitFor(/Setup code: (\S+)/);
		const client = new TrpcHttp(first.url);
		await client.mutation('auth.setup', { setupCode: code, username: 'ada', password: 'long password' });
		const started = await Promise.all(
			Array.from({ length: GENERATIONS }, (_, i) =>
				client.mutation('generation.start', { content: `reply ${i} [[sim:trickle=10 len=3000]]`, model: 'sim/gpt-like' })
			)
		);
		expect(started.every((r) => r.status === 200)).toBe(true);

		// Mid-stream for all of them: every provider id is on disk, none has finished.
		const reader = new Database(dbPath, { readonly: true });
		const count = (sql: string) => (reader.prepare(sql).get() as { n: number }).n;
		await until(() => count('SELECT count(*) AS n FROM generations WHERE upstream_id IS NOT NULL') === GENERATIONS, 20_000);
		expect(count("SELECT count(*) AS n FROM generations WHERE state = 'running'")).toBe(GENERATIONS);
		reader.close();
		first.child.kill('SIGKILL');
		await first.stop();
		await until(() => sim.stats.activeCompletions === 0, 5_000);

		const second = await startServerProcess(env);
		// Reconciliation runs in the background once the server listens.
		await second.waitFor(/settled reservations left open by a restart count=50/, 30_000);
		// Generous: on a loaded CI machine a tsx process can take seconds to wind down.
		const exitCode = await second.stop('SIGTERM', 30_000);
		expect(exitCode, second.output()).toBe(0);

		const db = new Database(dbPath, { readonly: true });
		try {
			expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
			const twice = db.prepare("SELECT generation_id FROM ledger_entries WHERE kind IN ('reservation','release','charge') GROUP BY generation_id, kind HAVING count(*) > 1").all();
			expect(twice).toEqual([]);
			const open = db
				.prepare("SELECT count(*) AS n FROM ledger_entries r WHERE kind = 'reservation' AND NOT EXISTS (SELECT 1 FROM ledger_entries x WHERE x.generation_id = r.generation_id AND x.kind = 'release')")
				.get() as { n: number };
			expect(open.n).toBe(0);
			const charges = db.prepare("SELECT count(*) AS n, sum(amount_nano_usd) AS total FROM ledger_entries WHERE kind IN ('charge', 'correction')").get() as { n: number; total: number };
			const billed = [...sim.stats.generations.values()].reduce((sum, g) => sum + BigInt(parseUsd(g.cost)), 0n);
			expect(sim.stats.generations.size).toBe(GENERATIONS);
			expect(charges.n).toBe(GENERATIONS);
			expect(BigInt(charges.total)).toBe(billed);
			expect(billed).toBeGreaterThan(0n);
			const sources = db.prepare("SELECT DISTINCT source FROM ledger_entries WHERE kind = 'charge'").all();
			expect(sources).toEqual([{ source: 'generation-lookup' }]);
			const states = db.prepare('SELECT DISTINCT state, failure_reason AS reason FROM generations').all() as Array<{ state: string; reason: string }>;
			expect(states).toHaveLength(1);
			expect(states[0]).toMatchObject({ state: 'failed', reason: expect.stringMatching(/server restarted/) });
		} finally {
			db.close();
		}
	}, 120_000);
});
