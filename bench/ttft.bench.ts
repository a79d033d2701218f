import { readMetric, startBareProxyProcess, startServerProcess, startSimulatorProcess } from './lib/processes';
import { fmt, percentile, report } from './lib/stats';
import { streamCompletion } from './lib/stream-client';

/**
 * TTFT added by the server over a direct call to the standalone simulator on loopback,
 * beside a bare pass-through proxy measured in the same run as the floor (docs/architecture.md#performance).
 */
const PROMPT = 'Benchmark [[sim:len=64]]';
/** Per target; taken one request per target in turn, so machine noise hits all of them alike. */
const SINGLE_SAMPLES = 900;
const BURST = 100;
/** Per target; one burst per target in turn. */
const BURST_ROUNDS = 15;

type Target = { name: string; url: string; headers?: Record<string, string>; cpuSeconds?: () => Promise<number> };

async function sampleSequential(targets: Target[], n: number, into: Map<string, number[]>): Promise<void> {
	for (let i = 0; i < n; i++) {
		for (const t of targets) into.get(t.name)?.push((await streamCompletion(t.url, PROMPT, t.headers)).ttftMs);
	}
}

/** Also the CPU time each process spent per request (the client and simulator are the same for all). */
async function sampleBurst(targets: Target[], rounds: number, into: Map<string, number[]>, cpuMs: Map<string, number>): Promise<void> {
	for (let round = 0; round < rounds; round++) {
		for (const t of targets) {
			const cpuBefore = (await t.cpuSeconds?.()) ?? 0;
			const results = await Promise.all(Array.from({ length: BURST }, () => streamCompletion(t.url, PROMPT, t.headers)));
			const cpuAfter = (await t.cpuSeconds?.()) ?? 0;
			into.get(t.name)?.push(...results.map((r) => r.ttftMs));
			cpuMs.set(t.name, (cpuMs.get(t.name) ?? 0) + ((cpuAfter - cpuBefore) * 1000) / BURST / rounds);
		}
	}
}

export async function ttftBench(): Promise<void> {
	const sim = await startSimulatorProcess();
	const proxy = await startBareProxyProcess(sim.url);
	const server = await startServerProcess(sim.url);
	const targets: Target[] = [
		{ name: 'direct', url: sim.url },
		{ name: 'bare proxy', url: proxy.url, cpuSeconds: proxy.cpuSeconds },
		{
			name: 'phosphor /v1',
			url: `${server.url}/v1`,
			headers: { authorization: `Bearer ${server.token}` },
			cpuSeconds: () => readMetric(server.url, 'process_cpu_seconds_total')
		}
	];
	try {
		// Warm every path (JIT, sockets) before measuring.
		await sampleSequential(targets, 50, new Map(targets.map((t) => [t.name, []])));
		await sampleBurst(targets, 1, new Map(targets.map((t) => [t.name, []])), new Map());
		console.log('TTFT (ms; added = target p50/p99 minus direct p50/p99, same run)');
		const cpuMs = new Map<string, number>();
		for (const [label, sample] of [
			['1 stream', (into: Map<string, number[]>) => sampleSequential(targets, SINGLE_SAMPLES, into)],
			[`${BURST} concurrent streams`, (into: Map<string, number[]>) => sampleBurst(targets, BURST_ROUNDS, into, cpuMs)]
		] as const) {
			const results = new Map<string, number[]>(targets.map((t) => [t.name, []]));
			await sample(results);
			const p = (name: string, q: number) => percentile(results.get(name) ?? [], q);
			const added = (name: string, q: number) => p(name, q) - p('direct', q);
			console.log(`  at ${label}: direct p50 ${fmt(p('direct', 50))} p99 ${fmt(p('direct', 99))} (${results.get('direct')?.length} samples per target)`);
			report(`  bare proxy added p50 / p99 (${label})`, `${fmt(added('bare proxy', 50))} / ${fmt(added('bare proxy', 99))}`, 'floor', null);
			const ratio = added('phosphor /v1', 50) / Math.max(added('bare proxy', 50), 0.001);
			report(
				`  phosphor added p50 / p99 (${label})`,
				`${fmt(added('phosphor /v1', 50))} / ${fmt(added('phosphor /v1', 99))}`,
				'≤ 1.5× floor p50',
				ratio <= 1.5
			);
			report(`  phosphor ÷ floor, p50 (${label})`, `${fmt(ratio)}×`, '≤ 1.5×', ratio <= 1.5);
			if (label === '1 stream') report('  phosphor added p50, absolute (1 stream)', `${fmt(added('phosphor /v1', 50))} ms`, '< 1 ms', added('phosphor /v1', 50) < 1);
		}
		// A burst queues on one event loop: each request's CPU time is what the others wait behind.
		report('  CPU per request in the bursts: bare proxy / phosphor', `${fmt(cpuMs.get('bare proxy') ?? NaN)} / ${fmt(cpuMs.get('phosphor /v1') ?? NaN)} ms`, 'info', null);
	} finally {
		await server.stop();
		await proxy.stop();
		await sim.stop();
	}
}
