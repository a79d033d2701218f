/**
 * RSS per open stream of two or more compiled servers, measured as `npm run bench -- stream-memory`
 * measures it (a full GC before each reading, 1,000 streams past their first token, three rounds
 * in the same process), rounds alternating between builds. The tool behind a memory regression's
 * attribution, not a benchmark.
 *
 *   npx tsx bench/profile/compare-memory.ts old=dist/eval-old/main.js new=dist/server/main.js
 *   npx tsx bench/profile/compare-memory.ts plain=dist/server/main.js capped=dist/server/main.js::--max-semi-space-size=2
 */
import { spawnSync } from 'node:child_process';
import { setMaxListeners } from 'node:events';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { processUsage } from '../lib/process-usage';
import { streamCompletion } from '../lib/stream-client';
import { startProcess } from '../lib/processes';

const STREAMS = 1_000;
const ROUNDS = 3;
const PROMPT = '[[sim:len=40 trickle=1000]]';
/** ROUND_GAP_MS=5000: a pause between rounds, to tell memory still held by the last round's settlements from growth. */
const ROUND_GAP_MS = Number(process.env.ROUND_GAP_MS ?? 0);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));


const mallocTunables = () => Object.fromEntries(Object.entries(process.env).filter(([name]) => name.startsWith('MALLOC_') || name === 'NODE_OPTIONS')) as Record<string, string>;

async function liveRss(pid: number): Promise<number> {
	process.kill(pid, 'SIGWINCH');
	await sleep(500);
	return (await processUsage(pid)).rssBytes;
}

async function heapUsed(base: string): Promise<number> {
	const text = await (await fetch(`${base}/metrics`)).text();
	return Number(/^nodejs_heap_used_bytes (\S+)$/m.exec(text)?.[1]);
}

async function main(): Promise<void> {
	const sim = await startProcess(['--import', 'tsx', 'server/simulator/standalone.ts'], { SIMULATOR_PORT: '0' }, /Simulator listening on (\S+)/);
	const simUrl = sim.url;
	const stops = [sim.stop];
	const builds = [];
	for (const arg of process.argv.slice(2)) {
		const [spec = '', flags = ''] = arg.split('::');
		const [name = '', path = ''] = spec.split('=');
		const dir = mkdtempSync(join(tmpdir(), 'phosphor-memory-'));
		const env = { DATABASE_PATH: join(dir, 'm.db'), LOG_LEVEL: 'warn' };
		const admin = (...args: string[]) =>
			spawnSync(process.execPath, [join(dirname(resolve(path)), 'admin.js'), ...args], { env: { PATH: process.env.PATH ?? '', ...env }, encoding: 'utf8' }).stdout.trim();
		admin('user', 'add', 'bench');
		const token = admin('token', 'create', 'bench');
		const server = await startProcess(
			['--expose-gc', '--import', './bench/lib/gc-on-signal.mjs', ...flags.split(/\s+/).filter(Boolean), resolve(path)],
			// glibc's MALLOC_* tunables and NODE_OPTIONS pass through, to tell allocator or V8 retention from memory in use.
			{ ...mallocTunables(), ...env, PORT: '0', HOST: '127.0.0.1', UPSTREAM_BASE_URL: simUrl, OPENROUTER_API_KEY: 'bench', LOG_LEVEL: 'info' },
			/Phosphor listening on (\S+)/
		);
		stops.push(server.stop);
		const base = server.url;
		builds.push({ name, pid: server.pid, base, url: `${base}/v1`, headers: { authorization: `Bearer ${token}` }, idle: 0, kb: [] as number[] });
	}
	try {
		for (const b of builds) {
			await Promise.all(Array.from({ length: 50 }, () => streamCompletion(b.url, 'warm [[sim:len=50]]', b.headers)));
			b.idle = await liveRss(b.pid);
		}
		for (let round = 1; round <= ROUNDS; round++) {
			for (const b of builds) {
				const controller = new AbortController();
				setMaxListeners(0, controller.signal);
				let open = 0;
				const streams = Array.from({ length: STREAMS }, (_, i) =>
					streamCompletion(b.url, `round ${round} open ${i} ${PROMPT}`, b.headers, controller.signal, () => open++).catch(() => null)
				);
				const deadline = Date.now() + 30_000;
				while (open < STREAMS && Date.now() < deadline) await sleep(100);
				const rss = await liveRss(b.pid);
				controller.abort();
				await Promise.all(streams);
				b.kb.push((rss - b.idle) / Math.max(open, 1) / 1024);
				await sleep(ROUND_GAP_MS);
			}
		}
		for (const b of builds) {
			await sleep(2_000);
			const after = await liveRss(b.pid);
			console.log(
				`${b.name.padEnd(10)} KB per open stream, rounds 1..${ROUNDS}: ${b.kb.map((k) => k.toFixed(1)).join(' / ')} · idle RSS ${(b.idle / 2 ** 20).toFixed(1)} → ${(after / 2 ** 20).toFixed(1)} MiB · heap in use ${((await heapUsed(b.base)) / 2 ** 20).toFixed(1)} MiB`
			);
		}
	} finally {
		for (const stop of stops.reverse()) await stop();
	}
}

await main();
