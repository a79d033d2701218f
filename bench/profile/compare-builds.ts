/**
 * Two or more compiled servers side by side (e.g. the same server on two upstream clients):
 * TTFT added over the simulator at 1 stream and in bursts of 100, and CPU per request, sampled
 * in alternating rounds so that the machine's noise hits every build alike. Not a benchmark with
 * a target: the tool behind a choice between builds.
 *
 *   npx tsx bench/profile/compare-builds.ts name=/path/to/dist/server/main.js name2=/other/main.js
 *   npx tsx bench/profile/compare-builds.ts plain=dist/server/main.js small-young=dist/server/main.js::--max-semi-space-size=2
 *
 * After `::`, node flags for that build's process; `COMPARE_LEN=1024` for longer replies (64 characters by default). `BENCH_SLOW_FSYNC_US=2000` makes every server's
 * fsyncs 2 ms slower (bench/lib/slow-fsync.ts), as on a network-attached disk.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { processUsage } from '../lib/process-usage';
import { percentile } from '../lib/stats';
import { streamCompletion } from '../lib/stream-client';
import { startProcess } from '../lib/processes';
import { slowFsyncEnv } from '../lib/slow-fsync';

const PROMPT = `Benchmark [[sim:len=${Number(process.env.COMPARE_LEN ?? 64)}]]`;
const SINGLE = Number(process.env.SINGLE ?? 400);
const BURST_ROUNDS = Number(process.env.BURST_ROUNDS ?? 8);


interface Target {
	name: string;
	url: string;
	headers: Record<string, string>;
	pid?: number;
	single: number[];
	burst: number[];
	cpuMs: number;
}

async function main(): Promise<void> {
	const builds = process.argv.slice(2).map((arg) => {
		const [spec = '', flags = ''] = arg.split('::');
		const [name = '', path = ''] = spec.split('=');
		return { name, path: resolve(path), flags: flags.split(/\s+/).filter(Boolean) };
	});
	const sim = await startProcess(['--import', 'tsx', 'server/simulator/standalone.ts'], { SIMULATOR_PORT: '0' }, /Simulator listening on (\S+)/);
	const simUrl = sim.url;
	const proxy = await startProcess(['--import', 'tsx', 'bench/lib/bare-proxy-main.ts'], { UPSTREAM_URL: simUrl }, /Bare proxy listening on (\S+)/);
	const stops = [sim.stop, proxy.stop];
	const targets: Target[] = [
		{ name: 'direct', url: simUrl, headers: {}, single: [], burst: [], cpuMs: 0 },
		{ name: 'bare proxy', url: proxy.url, headers: {}, pid: proxy.pid, single: [], burst: [], cpuMs: 0 }
	];
	for (const build of builds) {
		const dir = mkdtempSync(join(tmpdir(), 'phosphor-compare-'));
		const env = { DATABASE_PATH: join(dir, 'c.db'), LOG_LEVEL: 'warn' };
		const admin = (...args: string[]) =>
			spawnSync(process.execPath, [join(dirname(build.path), 'admin.js'), ...args], { env: { PATH: process.env.PATH ?? '', ...env }, encoding: 'utf8' }).stdout.trim();
		admin('user', 'add', 'bench');
		const token = admin('token', 'create', 'bench');
		const server = await startProcess([...build.flags, build.path], { ...env, PORT: '0', HOST: '127.0.0.1', UPSTREAM_BASE_URL: simUrl, OPENROUTER_API_KEY: 'bench', LOG_LEVEL: 'info', ...slowFsyncEnv() }, /Phosphor listening on (\S+)/);
		stops.push(server.stop);
		targets.push({ name: build.name, url: `${server.url}/v1`, headers: { authorization: `Bearer ${token}` }, pid: server.pid, single: [], burst: [], cpuMs: 0 });
	}
	try {
		for (const t of targets) for (let i = 0; i < 50; i++) await streamCompletion(t.url, PROMPT, t.headers);
		for (let i = 0; i < SINGLE; i++) for (const t of targets) t.single.push((await streamCompletion(t.url, PROMPT, t.headers)).ttftMs);
		for (let round = 0; round < BURST_ROUNDS; round++) {
			for (const t of targets) {
				const before = (await processUsage(t.pid)).cpuSeconds;
				const results = await Promise.all(Array.from({ length: 100 }, () => streamCompletion(t.url, PROMPT, t.headers)));
				t.cpuMs += (((await processUsage(t.pid)).cpuSeconds - before) * 1000) / 100 / BURST_ROUNDS;
				t.burst.push(...results.map((r) => r.ttftMs));
			}
		}
	} finally {
		for (const stop of stops.reverse()) await stop();
	}
	const direct = targets[0] as Target;
	console.log(`${SINGLE} single samples and ${BURST_ROUNDS} bursts of 100 per target, alternating`);
	for (const t of targets) {
		const add = (xs: number[], base: number[], q: number) => (percentile(xs, q) - percentile(base, q)).toFixed(2);
		console.log(
			`${t.name.padEnd(14)} added p50 1 stream ${add(t.single, direct.single, 50).padStart(6)} ms · p50 at 100 ${add(t.burst, direct.burst, 50).padStart(7)} ms · p99 at 100 ${add(t.burst, direct.burst, 99).padStart(7)} ms · CPU/request ${t.cpuMs.toFixed(3)} ms`
		);
	}
}

await main();
