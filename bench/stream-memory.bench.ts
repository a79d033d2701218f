import { setMaxListeners } from 'node:events';
import { readMetric, startServerProcess, startSimulatorProcess } from './lib/processes';
import { fmt, report } from './lib/stats';
import { streamCompletion } from './lib/stream-client';

const STREAMS = 1_000;

/** Server memory per open stream with 1,000 streams open at once, target ≤ 16 KB. */
export async function streamMemoryBench(): Promise<void> {
	const sim = await startSimulatorProcess();
	const server = await startServerProcess(sim.url);
	const url = `${server.url}/v1`;
	const headers = { authorization: `Bearer ${server.token}` };
	try {
		await Promise.all(Array.from({ length: 50 }, () => streamCompletion(url, 'warm [[sim:len=50]]', headers)));
		await new Promise((r) => setTimeout(r, 500));
		const rssBefore = await readMetric(server.url, 'process_resident_memory_bytes');
		const heapBefore = await readMetric(server.url, 'nodejs_heap_used_bytes');
		// Each stream sends a first token, then trickles slowly: all are open at once.
		const controller = new AbortController();
		// One signal for the whole batch: a thousand listeners on it are intended.
		setMaxListeners(0, controller.signal);
		let firstTokens = 0;
		const streams = Array.from({ length: STREAMS }, (_, i) =>
			streamCompletion(url, `open ${i} [[sim:len=40 trickle=300]]`, headers, controller.signal).catch(() => null)
		);
		void streams;
		// Wait until every stream is past its first token, by the server's own count of running replies.
		const deadline = Date.now() + 60_000;
		while (Date.now() < deadline) {
			firstTokens = await readMetric(server.url, 'phosphor_upstream_streams_open');
			if (firstTokens >= STREAMS) break;
			await new Promise((r) => setTimeout(r, 100));
		}
		const rssDuring = await readMetric(server.url, 'process_resident_memory_bytes');
		const heapDuring = await readMetric(server.url, 'nodejs_heap_used_bytes');
		controller.abort();
		await Promise.all(streams);
		console.log(`  ${firstTokens} streams open; RSS ${fmt(rssBefore / 2 ** 20)} → ${fmt(rssDuring / 2 ** 20)} MiB, heap ${fmt(heapBefore / 2 ** 20)} → ${fmt(heapDuring / 2 ** 20)} MiB`);
		const perStream = (rssDuring - rssBefore) / Math.max(firstTokens, 1) / 1024;
		report(`server RSS per open stream at ${STREAMS} streams`, `${fmt(perStream, 1)} KB`, '≤ 16 KB', perStream <= 16);
		report(`  of which V8 heap`, `${fmt((heapDuring - heapBefore) / Math.max(firstTokens, 1) / 1024, 1)} KB`, 'info', null);
	} finally {
		await server.stop();
		await sim.stop();
	}
}
