import { startBareProxy } from './lib/bare-proxy';
import { startServerProcess, startSimulatorProcess } from './lib/processes';
import { fmt, percentile, report } from './lib/stats';
import { streamCompletion } from './lib/stream-client';

/**
 * TTFT added by the server over a direct call to the standalone simulator on loopback,
 * beside a bare pass-through proxy measured in the same run as the floor (DESIGN.md §9).
 */
const PROMPT = 'Benchmark [[sim:len=64]]';
const SINGLE_SAMPLES = 300;
const BURST = 100;
const BURST_ROUNDS = 6;

type Target = { name: string; url: string; headers?: Record<string, string> };

async function sampleSequential(target: Target, n: number): Promise<number[]> {
	const out: number[] = [];
	for (let i = 0; i < n; i++) out.push((await streamCompletion(target.url, PROMPT, target.headers)).ttftMs);
	return out;
}

async function sampleBurst(target: Target): Promise<number[]> {
	const out: number[] = [];
	for (let round = 0; round < BURST_ROUNDS; round++) {
		const results = await Promise.all(Array.from({ length: BURST }, () => streamCompletion(target.url, PROMPT, target.headers)));
		out.push(...results.map((r) => r.ttftMs));
	}
	return out;
}

export async function ttftBench(): Promise<void> {
	const sim = await startSimulatorProcess();
	const proxy = await startBareProxy(new URL(sim.url));
	const server = await startServerProcess(sim.url);
	const targets: Target[] = [
		{ name: 'direct', url: sim.url },
		{ name: 'bare proxy', url: proxy.url },
		{ name: 'phosphor /v1', url: `${server.url}/v1`, headers: { authorization: `Bearer ${server.token}` } }
	];
	try {
		// Warm every path (JIT, sockets) before measuring.
		for (const t of targets) await sampleSequential(t, 50);
		console.log('TTFT (ms; added = target p50/p99 minus direct p50/p99, same run)');
		for (const [label, sample] of [
			['1 stream', (t: Target) => sampleSequential(t, SINGLE_SAMPLES)],
			[`${BURST} concurrent streams`, sampleBurst]
		] as const) {
			// Interleave targets round by round so machine noise hits all of them alike.
			const results = new Map<string, number[]>(targets.map((t) => [t.name, []]));
			for (let pass = 0; pass < 3; pass++) {
				for (const t of targets) results.get(t.name)?.push(...(await sample(t)));
			}
			const p = (name: string, q: number) => percentile(results.get(name) ?? [], q);
			const added = (name: string, q: number) => p(name, q) - p('direct', q);
			console.log(`  at ${label}: direct p50 ${fmt(p('direct', 50))} p99 ${fmt(p('direct', 99))}`);
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
	} finally {
		await server.stop();
		await proxy.close();
		await sim.stop();
	}
}
