/**
 * Where a request's CPU goes, thread by thread, in Phosphor and in the floor (the bare proxy),
 * and how much of it is per request and how much per chunk: the same bursts as `ttft`'s at three
 * reply lengths. Not a benchmark (no target): it says what the CPU figure `ttft` misses is made of.
 *
 *   npx tsx bench/profile/cpu-split.ts [requests per length and target=3000] [concurrency=100] [lengths=4,64,256]
 *
 * Threads are told apart from outside, by the kernel's per-thread accounting: the main thread is
 * the one whose id is the process's; Phosphor's commit thread is the thread other than the main one
 * that writes the most (its `/proc/<pid>/task/<tid>/io`: WAL pages and fsyncs); the rest are V8's
 * helpers (concurrent and parallel garbage collection, compilation) and libuv's pool.
 */
import { threadUsage } from '../lib/process-usage';
import { startSimulatorProcess } from '../lib/processes';
import { fmt, table } from '../lib/stats';
import { sendInFlight } from '../lib/stream-client';
import { FLOOR, OURS, startTargets, stopTargets, type Target } from '../lib/targets';

const REQUESTS = Number(process.argv[2] ?? 3000);
const CONCURRENCY = Number(process.argv[3] ?? 100);
const LENGTHS = (process.argv[4] ?? '4,64,256').split(',').map(Number);

interface Split {
	chunks: number;
	main: number;
	commit: number;
	helpers: number;
}

async function measure(target: Target, length: number): Promise<Split> {
	const pid = target.pid as number;
	const prompt = `Benchmark [[sim:len=${length}]]`;
	const run = async (n: number) => (await sendInFlight(target, prompt, n, CONCURRENCY)) / n;
	// Past the JIT's warm-up and the first growth of the heap: what is left is the steady state.
	await run(Math.min(1000, REQUESTS));
	const before = await threadUsage(pid, true);
	const chunks = await run(REQUESTS);
	const after = await threadUsage(pid, true);
	const deltas = [...after].map(([tid, u]) => {
		const was = before.get(tid) ?? { cpuNs: 0, writtenBytes: 0 };
		return { tid, ms: (u.cpuNs - was.cpuNs) / 1e6 / REQUESTS, written: u.writtenBytes - was.writtenBytes };
	});
	const main = deltas.find((d) => d.tid === String(pid));
	const writer = target.name === OURS ? deltas.filter((d) => d !== main).sort((a, b) => b.written - a.written)[0] : undefined;
	const rest = deltas.filter((d) => d !== main && d !== writer).reduce((sum, d) => sum + d.ms, 0);
	return { chunks, main: main?.ms ?? Number.NaN, commit: writer?.ms ?? 0, helpers: rest };
}

const sim = await startSimulatorProcess();
const targets = await startTargets(sim.url, [FLOOR, OURS]);
try {
	console.log(`CPU per request, ms, by thread (${REQUESTS} requests per length and target, ${CONCURRENCY} at once)`);
	const rows: Array<[string, string[]]> = [];
	for (const length of LENGTHS) {
		for (const target of targets) {
			const s = await measure(target, length);
			rows.push([`${target.name}, len=${length} (${fmt(s.chunks, 0)} chunks)`, [fmt(s.main, 3), fmt(s.commit, 3), fmt(s.helpers, 3), fmt(s.main + s.commit + s.helpers, 3)]]);
		}
	}
	table(['main', 'commit thread', 'other threads', 'total'], rows);
} finally {
	await stopTargets(targets);
	await sim.stop();
}
