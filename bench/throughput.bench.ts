import { readMetric, startServerProcess, startSimulatorProcess } from './lib/processes';
import { fmt, report } from './lib/stats';
import { streamCompletion } from './lib/stream-client';

/** Chunks the server forwards per second of its own CPU time (so: per core), target ≥ 50k. */
export async function throughputBench(): Promise<void> {
	const sim = await startSimulatorProcess();
	const server = await startServerProcess(sim.url);
	const url = `${server.url}/v1`;
	const headers = { authorization: `Bearer ${server.token}` };
	try {
		await Promise.all(Array.from({ length: 10 }, () => streamCompletion(url, 'warm [[sim:len=20000]]', headers)));
		const cpuBefore = await readMetric(server.url, 'process_cpu_seconds_total');
		const started = performance.now();
		const results = await Promise.all(Array.from({ length: 20 }, (_, i) => streamCompletion(url, `run ${i} [[sim:len=100000]]`, headers)));
		const wallS = (performance.now() - started) / 1000;
		const cpuS = (await readMetric(server.url, 'process_cpu_seconds_total')) - cpuBefore;
		const chunks = results.reduce((sum, r) => sum + r.chunks, 0);
		console.log(`  ${chunks} chunks in ${fmt(wallS)} s wall, server CPU ${fmt(cpuS)} s`);
		const perCore = chunks / cpuS;
		report('chunks forwarded per second per core (server CPU time)', fmt(perCore, 0), '≥ 50000', perCore >= 50_000);
	} finally {
		await server.stop();
		await sim.stop();
	}
}
