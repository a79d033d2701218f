import { setMaxListeners } from 'node:events';
import { readServerMemory, startBareProxyProcess, startServerProcess, startSimulatorProcess, type MemoryReading } from './lib/processes';
import { fmt, median, report } from './lib/stats';
import { streamCompletion } from './lib/stream-client';

const STREAMS = 1_000;
/** Each stream sends a first token, then one character a second: 40 s open, ample for the ramp-up. */
const PROMPT = '[[sim:len=40 trickle=1000]]';

interface Target {
	url: string;
	headers?: Record<string, string>;
	memory(): Promise<MemoryReading>;
}

/** Median of several readings: one reading lands anywhere in the garbage collector's cycle. */
async function settledMemory(target: Target, samples: number): Promise<MemoryReading> {
	const readings: MemoryReading[] = [];
	for (let i = 0; i < samples; i++) {
		readings.push(await target.memory());
		await new Promise((r) => setTimeout(r, 200));
	}
	return { rss: median(readings.map((r) => r.rss)), heapUsed: median(readings.map((r) => r.heapUsed)) };
}

/** Memory per stream with STREAMS streams open at once, each past its first token (seen by the client). */
async function perOpenStream(target: Target): Promise<{ open: number; before: MemoryReading; during: MemoryReading }> {
	await Promise.all(Array.from({ length: 50 }, () => streamCompletion(target.url, 'warm [[sim:len=50]]', target.headers)));
	await new Promise((r) => setTimeout(r, 500));
	const before = await settledMemory(target, 5);
	const controller = new AbortController();
	// One signal for the whole batch: a thousand listeners on it are intended.
	setMaxListeners(0, controller.signal);
	let open = 0;
	const streams = Array.from({ length: STREAMS }, (_, i) =>
		streamCompletion(target.url, `open ${i} ${PROMPT}`, target.headers, controller.signal, () => open++).catch(() => null)
	);
	const deadline = Date.now() + 30_000;
	while (open < STREAMS && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
	const during = await settledMemory(target, 10);
	controller.abort();
	await Promise.all(streams);
	return { open, before, during };
}

/**
 * Server memory per open stream at 1,000 streams, target ≤ 16 KB; the bare pass-through proxy,
 * measured the same way in its own process, is the floor for what two sockets per stream cost.
 */
export async function streamMemoryBench(): Promise<void> {
	const sim = await startSimulatorProcess();
	try {
		const results: Array<[string, Awaited<ReturnType<typeof perOpenStream>>]> = [];
		const proxy = await startBareProxyProcess(sim.url);
		try {
			results.push(['bare proxy', await perOpenStream(proxy)]);
		} finally {
			await proxy.stop();
		}
		const server = await startServerProcess(sim.url);
		try {
			const target = { url: `${server.url}/v1`, headers: { authorization: `Bearer ${server.token}` }, memory: () => readServerMemory(server.url) };
			results.push(['phosphor', await perOpenStream(target)]);
		} finally {
			await server.stop();
		}
		for (const [name, { open, before, during }] of results) {
			const perStream = (key: keyof MemoryReading) => (during[key] - before[key]) / Math.max(open, 1) / 1024;
			const mib = (n: number) => fmt(n / 2 ** 20);
			console.log(`  ${name}: ${open} streams open; RSS ${mib(before.rss)} → ${mib(during.rss)} MiB, heap ${mib(before.heapUsed)} → ${mib(during.heapUsed)} MiB (medians)`);
			if (name === 'phosphor') report(`server RSS per open stream at ${STREAMS} streams`, `${fmt(perStream('rss'), 1)} KB`, '≤ 16 KB', perStream('rss') <= 16);
			else report(`${name} RSS per open stream (floor)`, `${fmt(perStream('rss'), 1)} KB`, 'floor', null);
			report(`  of which V8 heap in use (with garbage not yet collected)`, `${fmt(perStream('heapUsed'), 1)} KB`, 'info', null);
		}
	} finally {
		await sim.stop();
	}
}
