import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseUsd } from '../../src/lib/domain/money';
import { startSimulator, type Simulator } from '../../server/simulator';
import { until } from '../helpers/orchestrator-rig';
import { startServerProcess } from '../helpers/server-process';
import { startSwitchableUpstream, type SwitchableUpstream } from '../helpers/switchable-upstream';
import { tempDir } from '../helpers/temp-dir';
import { TrpcHttp } from '../helpers/trpc-http';

const REPLIES = 5;

interface Row {
	generation_id: string;
	amount_nano_usd: number;
	source: string;
	tokens_in: number | null;
	tokens_out: number | null;
}

/** Boot when the provider is down or hangs: the server listens at once and reconciles in the background. */
describe('boot under a failing provider (real processes)', () => {
	let sim: Simulator;
	let upstream: SwitchableUpstream;
	const dir = tempDir();
	beforeAll(async () => {
		sim = await startSimulator({ port: 0 });
		upstream = await startSwitchableUpstream(sim.url);
	});
	afterAll(async () => {
		await upstream.close();
		await sim.close();
		dir.cleanup();
	});

	it('after kill -9 mid-reply, a provider refusing connections: listens, estimates from prompt and stored text, corrects once it answers', async () => {
		const dbPath = `${dir.path}/refused.db`;
		const env = { DATABASE_PATH: dbPath, UPSTREAM_BASE_URL: upstream.url, OPENROUTER_API_KEY: 'test', BREAKER_THRESHOLD: '1000', RECONCILE_RETRY_MS: '300' };
		await upstream.setMode('forward');
		const first = await startServerProcess(env);
		const [, code] = await first.waitFor(/Setup code: (\S+)/);
		const client = new TrpcHttp(first.url);
		await client.mutation('auth.setup', { setupCode: code, username: 'ada', password: 'long password' });
		for (let i = 0; i < REPLIES; i++) {
			const res = await client.mutation('generation.start', { content: `reply ${i} [[sim:trickle=10 len=4000]]`, model: 'sim/gpt-like' });
			expect(res.status).toBe(200);
		}
		const reader = new Database(dbPath, { readonly: true });
		const count = (sql: string) => (reader.prepare(sql).get() as { n: number }).n;
		// Every reply has streamed some text to disk, none has finished.
		await until(
			() =>
				count(
					"SELECT count(*) AS n FROM generations g JOIN messages m ON m.id = g.assistant_message_id WHERE g.upstream_id IS NOT NULL AND length(m.content) > 40"
				) === REPLIES,
			20_000
		);
		reader.close();
		first.child.kill('SIGKILL');
		await first.stop();
		await until(() => sim.stats.activeCompletions === 0, 5_000);

		await upstream.setMode('refuse');
		const second = await startServerProcess(env, 10_000);
		expect((await fetch(`${second.url}/healthz`)).status).toBe(200);
		const ready = (await (await fetch(`${second.url}/readyz`)).json()) as { status: string; pending: string[] };
		expect(ready.status).toBe('ready');
		expect(ready.pending).toContain('catalog');
		await second.waitFor(/settled reservations left open by a restart count=5/, 30_000);
		expect(second.child.exitCode).toBeNull();

		const db = new Database(dbPath, { readonly: true });
		try {
			const charges = db.prepare("SELECT generation_id, amount_nano_usd, source, tokens_in, tokens_out FROM ledger_entries WHERE kind = 'charge'").all() as Row[];
			expect(charges).toHaveLength(REPLIES);
			const stored = db
				.prepare('SELECT g.id, g.prompt_tokens_estimate AS prompt, length(m.content) AS chars FROM generations g JOIN messages m ON m.id = g.assistant_message_id')
				.all() as Array<{ id: string; prompt: number; chars: number }>;
			for (const charge of charges) {
				const row = stored.find((s) => s.id === charge.generation_id);
				expect(charge.source).toBe('estimate');
				expect(charge.amount_nano_usd).toBeGreaterThan(0);
				expect(charge.tokens_in).toBe(row?.prompt);
				expect(row?.prompt).toBeGreaterThan(0);
				expect(charge.tokens_out).toBe(Math.ceil((row?.chars ?? 0) / 4));
			}
		} finally {
			db.close();
		}

		// The provider is back: the estimates are looked up again and corrected to exactly what it billed.
		await upstream.setMode('forward');
		await second.waitFor(/(corrected an estimated charge[\s\S]*){5}/, 20_000);
		const exitCode = await second.stop('SIGTERM', 30_000);
		expect(exitCode, second.output()).toBe(0);
		const after = new Database(dbPath, { readonly: true });
		try {
			const total = after.prepare("SELECT count(*) AS n, sum(amount_nano_usd) AS total FROM ledger_entries WHERE kind = 'correction'").get() as { n: number };
			expect(total.n).toBe(REPLIES);
			const sum = after.prepare("SELECT sum(amount_nano_usd) AS total FROM ledger_entries WHERE kind IN ('charge', 'correction')").get() as { total: number };
			const billed = [...sim.stats.generations.values()].reduce((acc, g) => acc + BigInt(parseUsd(g.cost)), 0n);
			expect(BigInt(sum.total)).toBe(billed);
		} finally {
			after.close();
		}
	}, 120_000);

	it('a provider that accepts and never answers: listens at once, /readyz says the catalog is pending, SIGTERM stops it', async () => {
		await upstream.setMode('hang');
		const env = { DATABASE_PATH: `${dir.path}/hang.db`, UPSTREAM_BASE_URL: upstream.url, OPENROUTER_API_KEY: 'test' };
		const started = performance.now();
		const server = await startServerProcess(env, 20_000);
		const health = await fetch(`${server.url}/healthz`);
		expect(health.status).toBe(200);
		expect(performance.now() - started).toBeLessThan(15_000);
		const res = await fetch(`${server.url}/readyz`);
		expect(res.status).toBe(200);
		expect(await res.json()).toMatchObject({ pending: ['catalog'], checks: { catalog: expect.stringMatching(/^pending/) } });
		const exitCode = await server.stop('SIGTERM', 10_000);
		expect(exitCode, server.output()).toBe(0);
	}, 60_000);
});
