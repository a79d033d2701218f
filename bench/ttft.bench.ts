import { processUsage } from './lib/process-usage';
import { startSimulatorProcess } from './lib/processes';
import { fmt, percentile, report, table } from './lib/stats';
import { streamCompletion } from './lib/stream-client';
import { FLOOR, OURS, PEER, PEER_UNDELAYED, startTargets, stopTargets, type Target, type TargetName } from './lib/targets';

/**
 * TTFT added over a direct call to the standalone simulator on loopback, and CPU time per request,
 * for Phosphor beside its floor (a bare pass-through proxy) and its peer (Portkey), all measured in
 * the same rounds (docs/architecture.md#performance).
 */
const PROMPT = 'Benchmark [[sim:len=64]]';
/** Per target; taken one request per target in turn, so machine noise hits all of them alike. */
const SINGLE_SAMPLES = 900;
const BURST = 100;
/** Per target; one burst per target in turn. */
const BURST_ROUNDS = 15;
const NAMES: TargetName[] = ['direct', FLOOR, OURS, PEER, PEER_UNDELAYED];

interface Phase {
	ttftMs: Map<TargetName, number[]>;
	/** CPU time per request of each process during its own bursts (none for one stream at a time). */
	cpuMs: Map<TargetName, number>;
	/** Of which its main thread's. */
	mainCpuMs: Map<TargetName, number>;
}

const emptyPhase = (targets: Target[]): Phase => ({ ttftMs: new Map(targets.map((t) => [t.name, []])), cpuMs: new Map(), mainCpuMs: new Map() });

async function sequential(targets: Target[], n: number): Promise<Phase> {
	const phase = emptyPhase(targets);
	for (let i = 0; i < n; i++) {
		for (const t of targets) phase.ttftMs.get(t.name)?.push((await streamCompletion(t.url, PROMPT, t.headers)).ttftMs);
	}
	return phase;
}

async function bursts(targets: Target[], rounds: number): Promise<Phase> {
	const phase = emptyPhase(targets);
	for (let round = 0; round < rounds; round++) {
		for (const t of targets) {
			const before = await processUsage(t.pid);
			const results = await Promise.all(Array.from({ length: BURST }, () => streamCompletion(t.url, PROMPT, t.headers)));
			const after = await processUsage(t.pid);
			phase.ttftMs.get(t.name)?.push(...results.map((r) => r.ttftMs));
			if (t.pid === undefined) continue;
			phase.cpuMs.set(t.name, (phase.cpuMs.get(t.name) ?? 0) + ((after.cpuSeconds - before.cpuSeconds) * 1000) / BURST / rounds);
			phase.mainCpuMs.set(t.name, (phase.mainCpuMs.get(t.name) ?? 0) + ((after.mainCpuSeconds - before.mainCpuSeconds) * 1000) / BURST / rounds);
		}
	}
	return phase;
}

function print(label: string, { ttftMs, cpuMs, mainCpuMs }: Phase): void {
	const p = (name: TargetName, q: number) => percentile(ttftMs.get(name) ?? [], q);
	const added = (name: TargetName, q: number) => p(name, q) - p('direct', q);
	const ratio = (name: TargetName) => added(name, 50) / Math.max(added(FLOOR, 50), 0.001);
	const cells = (f: (name: TargetName) => number) => NAMES.map((name) => fmt(f(name)));
	console.log(`  at ${label} (${ttftMs.get('direct')?.length} samples per target, ms):`);
	table(NAMES, [
		['TTFT p50 / p99', NAMES.map((name) => `${fmt(p(name, 50))} / ${fmt(p(name, 99))}`)],
		['added over direct, p50', cells((name) => added(name, 50))],
		['added over direct, p99', cells((name) => added(name, 99))],
		['added p50 ÷ bare proxy’s', cells(ratio)],
		...(cpuMs.size
			? ([
					['CPU per request', cells((name) => cpuMs.get(name) ?? Number.NaN)],
					['  of which main thread', cells((name) => mainCpuMs.get(name) ?? Number.NaN)]
				] as Array<[string, string[]]>)
			: [])
	]);
	const ours = added(OURS, 50);
	report(`phosphor added p50 ÷ floor’s (${label})`, `${fmt(ratio(OURS))}×`, '≤ 1.5×', ratio(OURS) <= 1.5);
	report(`phosphor added p50 vs portkey (${label})`, `${fmt(ours)} / ${fmt(added(PEER, 50))} ms`, 'below the peer', ours < added(PEER, 50));
	report(`phosphor added p50 vs portkey without delay (${label})`, `${fmt(ours)} / ${fmt(added(PEER_UNDELAYED, 50))} ms`, 'below the peer', ours < added(PEER_UNDELAYED, 50));
	if (!cpuMs.size) return;
	const cpuRatio = (cpuMs.get(OURS) ?? Number.NaN) / (cpuMs.get(FLOOR) ?? Number.NaN);
	report(`phosphor CPU per request ÷ floor’s (${label})`, `${fmt(cpuRatio)}×`, '≤ 1.5×', cpuRatio <= 1.5);
}

export async function ttftBench(): Promise<void> {
	const sim = await startSimulatorProcess();
	const targets = await startTargets(sim.url, NAMES).catch(async (error: unknown) => {
		await sim.stop();
		throw error;
	});
	try {
		// Warm every path (JIT, sockets) before measuring.
		await sequential(targets, 50);
		await bursts(targets, 1);
		print('1 stream', await sequential(targets, SINGLE_SAMPLES));
		// A burst queues on one event loop: each request's CPU time is what the others wait behind.
		print(`${BURST} streams at once`, await bursts(targets, BURST_ROUNDS));
	} finally {
		await stopTargets(targets);
		await sim.stop();
	}
}
