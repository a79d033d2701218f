/**
 * System calls per request on the `/v1` streaming path, Phosphor beside the bare proxy: counted by
 * `perf stat` on the kernel's `syscalls:sys_enter_*` tracepoints, attached to each target's process
 * for a burst of requests after a warm-up. Not a benchmark (no target): it answers whether a
 * difference in CPU is made of system calls (socket writes and reads, wake-ups of other threads).
 *
 *   npm run build:server && npx tsx bench/profile/syscalls.ts [requests=3000] [concurrency=100] [reply length=64]
 *
 * Needs `perf` with tracepoint access (root, or kernel.perf_event_paranoid ≤ -1).
 */
import { spawn } from 'node:child_process';
import { startSimulatorProcess } from '../lib/processes';
import { sendInFlight } from '../lib/stream-client';
import { FLOOR, OURS, startTargets, stopTargets } from '../lib/targets';

const REQUESTS = Number(process.argv[2] ?? 3000);
const CONCURRENCY = Number(process.argv[3] ?? 100);
const PROMPT = `Benchmark [[sim:len=${Number(process.argv[4] ?? 64)}]]`;
const WARM_UP = 500;
const CALLS = ['read', 'readv', 'write', 'writev', 'sendmsg', 'recvfrom', 'futex', 'epoll_pwait', 'epoll_wait', 'epoll_ctl', 'accept4', 'connect', 'socket', 'setsockopt', 'getsockopt', 'close'];

/** Counts per call over `work`, from perf's CSV output (`count,unit,event,…`). */
async function countDuring(pid: number, work: () => Promise<void>): Promise<Map<string, number>> {
	const perf = spawn('perf', ['stat', '-x', ',', '-e', CALLS.map((c) => `syscalls:sys_enter_${c}`).join(','), '-p', String(pid)], { stdio: ['ignore', 'ignore', 'pipe'] });
	let output = '';
	perf.stderr.on('data', (data: Buffer) => (output += data.toString()));
	const exited = new Promise<number | null>((resolve) => perf.on('exit', resolve));
	// perf attaches asynchronously; a request sent before it counts would be missed.
	await new Promise((resolve) => setTimeout(resolve, 300));
	await work();
	perf.kill('SIGINT');
	await exited;
	const counts = new Map<string, number>();
	for (const line of output.trim().split('\n')) {
		const [count, , event] = line.split(',');
		const name = event?.replace('syscalls:sys_enter_', '');
		if (name && CALLS.includes(name)) counts.set(name, Number(count) || 0);
	}
	if (counts.size === 0) throw new Error(`perf counted nothing; its output:\n${output}`);
	return counts;
}

async function main(): Promise<void> {
	const sim = await startSimulatorProcess();
	const rows = new Map<string, Map<string, number>>();
	try {
		for (const name of [FLOOR, OURS] as const) {
			const [target] = await startTargets(sim.url, [name]);
			if (!target?.pid) throw new Error(`${name} did not start`);
			try {
				await sendInFlight(target, PROMPT, WARM_UP, CONCURRENCY);
				rows.set(name, await countDuring(target.pid, async () => void (await sendInFlight(target, PROMPT, REQUESTS, CONCURRENCY))));
			} finally {
				await stopTargets([target]);
			}
		}
	} finally {
		await sim.stop();
	}
	console.log(`system calls per request, ${REQUESTS} requests, ${CONCURRENCY} in flight`);
	console.log(`${'call'.padEnd(12)}${[...rows.keys()].map((k) => k.padStart(12)).join('')}`);
	for (const call of CALLS) {
		const values = [...rows.values()].map((counts) => (counts.get(call) ?? 0) / REQUESTS);
		if (values.every((v) => v < 0.005)) continue;
		console.log(`${call.padEnd(12)}${values.map((v) => v.toFixed(2).padStart(12)).join('')}`);
	}
}

await main();
