import { readMetric, startBareProxyProcess, startServerProcess, startSimulatorProcess } from './lib/processes';
import { fmt, median, report } from './lib/stats';
import { streamCompletion } from './lib/stream-client';

const ROUNDS = 3;
const STREAMS = 20;
const PROMPT = '[[sim:len=100000]]';

interface Target {
	url: string;
	headers?: Record<string, string>;
	cpuSeconds(): Promise<number>;
}

/** One round: STREAMS long replies at once; chunks counted by the client, CPU time by the process. */
async function round(target: Target, label: string): Promise<{ chunks: number; cpuS: number; wallS: number }> {
	const cpuBefore = await target.cpuSeconds();
	const started = performance.now();
	const results = await Promise.all(Array.from({ length: STREAMS }, (_, i) => streamCompletion(target.url, `${label} ${i} ${PROMPT}`, target.headers)));
	const wallS = (performance.now() - started) / 1000;
	const cpuS = (await target.cpuSeconds()) - cpuBefore;
	return { chunks: results.reduce((sum, r) => sum + r.chunks, 0), cpuS, wallS };
}

/**
 * Chunks the server forwards per second of its own CPU time (so: per core), target ≥ 50k.
 * CPU time rather than wall time: the client and the simulator share the machine's cores. Still,
 * CPU time per unit of work moves with the host's load (these are shared VMs), so the bare proxy
 * forwards the same replies in alternate rounds as a reference: when both move, the host did.
 */
export async function throughputBench(): Promise<void> {
	const sim = await startSimulatorProcess();
	const server = await startServerProcess(sim.url);
	const proxy = await startBareProxyProcess(sim.url);
	const phosphor: Target = {
		url: `${server.url}/v1`,
		headers: { authorization: `Bearer ${server.token}` },
		cpuSeconds: () => readMetric(server.url, 'process_cpu_seconds_total')
	};
	try {
		await Promise.all(Array.from({ length: 10 }, () => streamCompletion(phosphor.url, 'warm [[sim:len=20000]]', phosphor.headers)));
		await Promise.all(Array.from({ length: 10 }, () => streamCompletion(proxy.url, 'warm [[sim:len=20000]]')));
		const rates: number[] = [];
		const proxyRates: number[] = [];
		for (let i = 0; i < ROUNDS; i++) {
			const ours = await round(phosphor, `run ${i}`);
			const floor = await round(proxy, `proxy ${i}`);
			rates.push(ours.chunks / ours.cpuS);
			proxyRates.push(floor.chunks / floor.cpuS);
			console.log(
				`  round ${i + 1}: ${ours.chunks} chunks in ${fmt(ours.wallS)} s wall, server CPU ${fmt(ours.cpuS)} s → ${fmt(ours.chunks / ours.cpuS, 0)} chunks/s` +
					` (bare proxy: ${fmt(floor.chunks / floor.cpuS, 0)} chunks/s)`
			);
		}
		const perCore = median(rates);
		report(`chunks forwarded per second per core (median of ${ROUNDS})`, fmt(perCore, 0), '≥ 50000', perCore >= 50_000);
		report('  bare proxy, same replies, same rounds (reference)', fmt(median(proxyRates), 0), 'info', null);
	} finally {
		await proxy.stop();
		await server.stop();
		await sim.stop();
	}
}
