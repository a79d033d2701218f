import { processUsage } from './lib/process-usage';
import { startSimulatorProcess } from './lib/processes';
import { fmt, median, report, table } from './lib/stats';
import { streamCompletion } from './lib/stream-client';
import { FLOOR, OURS, PEER, startTargets, stopTargets, type Target, type TargetName } from './lib/targets';

const ROUNDS = 3;
const STREAMS = 20;
const PROMPT = '[[sim:len=100000]]';
const NAMES: TargetName[] = [OURS, FLOOR, PEER];

/** One round: STREAMS long replies at once; chunks counted by the client, CPU time by the process. */
async function chunksPerCpuSecond(target: Target, label: string): Promise<number> {
	const cpuBefore = (await processUsage(target.pid)).cpuSeconds;
	const results = await Promise.all(Array.from({ length: STREAMS }, (_, i) => streamCompletion(target.url, `${label} ${i} ${PROMPT}`, target.headers)));
	const cpuS = (await processUsage(target.pid)).cpuSeconds - cpuBefore;
	return results.reduce((sum, r) => sum + r.chunks, 0) / cpuS;
}

/**
 * Chunks the server forwards per second of its own CPU time (so: per core), target ≥ 50k.
 * CPU time rather than wall time: the client and the simulator share the machine's cores. Still,
 * CPU time per unit of work moves with the host's load (these are shared VMs), so the bare proxy
 * and Portkey forward the same replies in alternate rounds as references: when all move, the host did.
 */
export async function throughputBench(): Promise<void> {
	const sim = await startSimulatorProcess();
	const targets = await startTargets(sim.url, NAMES).catch(async (error: unknown) => {
		await sim.stop();
		throw error;
	});
	try {
		for (const t of targets) await Promise.all(Array.from({ length: 10 }, () => streamCompletion(t.url, 'warm [[sim:len=20000]]', t.headers)));
		const rates = new Map<TargetName, number[]>(NAMES.map((n) => [n, []]));
		for (let i = 0; i < ROUNDS; i++) {
			for (const t of targets) rates.get(t.name)?.push(await chunksPerCpuSecond(t, `round ${i}`));
		}
		console.log(`  chunks forwarded per second of the process's CPU time (${STREAMS} streams of 100,000 characters at once):`);
		table(NAMES, [
			...Array.from({ length: ROUNDS }, (_, i): [string, string[]] => [`round ${i + 1}`, NAMES.map((n) => fmt(rates.get(n)?.[i] ?? NaN, 0))]),
			[`median of ${ROUNDS}`, NAMES.map((n) => fmt(median(rates.get(n) ?? []), 0))]
		]);
		const perCore = median(rates.get(OURS) ?? []);
		report(`phosphor chunks forwarded per second per core`, fmt(perCore, 0), '≥ 50000', perCore >= 50_000);
	} finally {
		await stopTargets(targets);
		await sim.stop();
	}
}
