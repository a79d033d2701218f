import { setMaxListeners } from 'node:events';
import { processUsage } from './lib/process-usage';
import { startSimulatorProcess } from './lib/processes';
import { fmt, median, report, table } from './lib/stats';
import { streamCompletion } from './lib/stream-client';
import { FLOOR, OURS, PEER, startTargets, stopTargets, type Target, type TargetName } from './lib/targets';

const STREAMS = 1_000;
/** Rounds of STREAMS streams in the same processes: memory held per stream must not grow with them. */
const ROUNDS = 3;
/** Each stream sends a first token, then one character a second: 40 s open, ample for the ramp-up. */
const PROMPT = '[[sim:len=40 trickle=1000]]';
const NAMES: TargetName[] = [FLOOR, OURS, PEER];
/** Every measured process collects its garbage on SIGWINCH (bench/lib/gc-on-signal.mjs). */
const NODE_ARGS = ['--expose-gc', '--import', './bench/lib/gc-on-signal.mjs'];

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * RSS of live memory: a full collection first (without it, a reading lands anywhere in the
 * collector's cycle, tens of KB per stream either way), then the median of a few readings.
 */
async function liveRss(target: Target): Promise<number> {
	if (target.pid === undefined) return Number.NaN;
	process.kill(target.pid, 'SIGWINCH');
	await sleep(500);
	const readings: number[] = [];
	for (let i = 0; i < 3; i++) {
		readings.push((await processUsage(target.pid)).rssBytes);
		await sleep(100);
	}
	return median(readings);
}

/** Phosphor's V8 heap in use, from its /metrics: tells memory it holds from memory it has not given back. */
async function heapInUse(target: Target): Promise<number> {
	if (target.name !== OURS) return Number.NaN;
	const text = await (await fetch(`${target.url.replace(/\/v1$/, '')}/metrics`)).text();
	return Number(/^nodejs_heap_used_bytes (\S+)$/m.exec(text)?.[1]);
}

/** RSS with STREAMS streams open at once, each past its first token (seen by the client). */
async function rssWithStreamsOpen(target: Target, round: number): Promise<{ open: number; rss: number }> {
	const controller = new AbortController();
	// One signal for the whole batch: a thousand listeners on it are intended.
	setMaxListeners(0, controller.signal);
	let open = 0;
	const streams = Array.from({ length: STREAMS }, (_, i) =>
		streamCompletion(target.url, `round ${round} open ${i} ${PROMPT}`, target.headers, controller.signal, () => open++).catch(() => null)
	);
	const deadline = Date.now() + 30_000;
	while (open < STREAMS && Date.now() < deadline) await sleep(100);
	const rss = await liveRss(target);
	controller.abort();
	await Promise.all(streams);
	return { open, rss };
}

/**
 * RSS per open stream at 1,000 streams, three rounds in the same processes, for Phosphor beside its
 * floor (the bare proxy: what two sockets per stream cost in Node) and its peer (Portkey), rounds
 * alternating between them. Per stream = (live RSS with the streams open − live RSS of the process
 * idle before its first round) ÷ streams open: whatever a round leaves behind shows in the next.
 */
export async function streamMemoryBench(): Promise<void> {
	const sim = await startSimulatorProcess();
	const targets = await startTargets(sim.url, NAMES, NODE_ARGS).catch(async (error: unknown) => {
		await sim.stop();
		throw error;
	});
	try {
		const idle = new Map<TargetName, number>();
		const heapBefore = new Map<TargetName, number>();
		for (const t of targets) {
			await Promise.all(Array.from({ length: 50 }, () => streamCompletion(t.url, 'warm [[sim:len=50]]', t.headers)));
			idle.set(t.name, await liveRss(t));
			heapBefore.set(t.name, await heapInUse(t));
		}
		const rounds = new Map<TargetName, Array<{ open: number; rss: number }>>(NAMES.map((n) => [n, []]));
		for (let round = 1; round <= ROUNDS; round++) {
			for (const t of targets) rounds.get(t.name)?.push(await rssWithStreamsOpen(t, round));
		}
		const idleAfter = new Map<TargetName, number>();
		const heapAfter = new Map<TargetName, number>();
		for (const t of targets) {
			idleAfter.set(t.name, await liveRss(t));
			heapAfter.set(t.name, await heapInUse(t));
		}
		const at = (name: TargetName, round: number) => rounds.get(name)?.[round - 1] ?? { open: 0, rss: NaN };
		const kb = (name: TargetName, round: number) => (at(name, round).rss - (idle.get(name) ?? NaN)) / Math.max(at(name, round).open, 1) / 1024;
		const mib = (bytes: number) => fmt(bytes / 2 ** 20, 1);
		const numbers = Array.from({ length: ROUNDS }, (_, i) => i + 1);
		console.log(`  RSS per open stream at ${STREAMS} streams, KB (streams open per round: ${NAMES.map((n) => `${n} ${numbers.map((r) => at(n, r).open).join('/')}`).join(', ')}):`);
		table(NAMES, [
			...numbers.map((r): [string, string[]] => [`round ${r}`, NAMES.map((n) => fmt(kb(n, r), 1))]),
			[`÷ bare proxy’s, round 1 / ${ROUNDS}`, NAMES.map((n) => `${fmt(kb(n, 1) / kb(FLOOR, 1))} / ${fmt(kb(n, ROUNDS) / kb(FLOOR, ROUNDS))}`)],
			[`growth, round 1 → ${ROUNDS}`, NAMES.map((n) => fmt(kb(n, ROUNDS) - kb(n, 1), 1))],
			[`idle RSS before round 1 / after ${ROUNDS}, MiB`, NAMES.map((n) => `${mib(idle.get(n) ?? NaN)} / ${mib(idleAfter.get(n) ?? NaN)}`)],
			[`  of which V8 heap in use, MiB`, NAMES.map((n) => `${mib(heapBefore.get(n) ?? NaN)} / ${mib(heapAfter.get(n) ?? NaN)}`)]
		]);
		for (const r of [1, ROUNDS]) {
			const ratio = kb(OURS, r) / kb(FLOOR, r);
			report(`phosphor RSS per open stream ÷ floor’s (round ${r})`, `${fmt(kb(OURS, r), 1)} KB, ${fmt(ratio)}×`, '≤ 1.25×', ratio <= 1.25);
		}
		report(`phosphor growth per open stream, round 1 → ${ROUNDS}`, `${fmt(kb(OURS, ROUNDS) - kb(OURS, 1), 1)} KB`, 'flat', null);
	} finally {
		await stopTargets(targets);
		await sim.stop();
	}
}
