import { setMaxListeners } from 'node:events';
import { readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod';
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
/** Every measured process collects its garbage on SIGWINCH and reports its heap (bench/lib/gc-on-signal.mjs). */
const NODE_ARGS = ['--expose-gc', '--import', './bench/lib/gc-on-signal.mjs'];
const HeapReport = z.object({ heapUsed: z.number(), heapTotal: z.number() });
const heapReportPath = (pid: number) => join(tmpdir(), `gc-on-signal-${pid}.json`);

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Reading {
	rss: number;
	/** V8 heap in use after the collection: live objects. */
	heapUsed: number;
	/** V8 heap the engine holds, in use or not. */
	heapTotal: number;
}

/**
 * Memory after a full collection (without it, a reading lands anywhere in the collector's cycle,
 * tens of KB per stream either way): RSS as the median of a few readings, and the heap's size.
 */
async function liveMemory(target: Target): Promise<Reading> {
	const pid = target.pid;
	if (pid === undefined) throw new Error(`${target.name} has no process to measure`);
	await rm(heapReportPath(pid), { force: true });
	process.kill(pid, 'SIGWINCH');
	await sleep(500);
	const rss: number[] = [];
	for (let i = 0; i < 3; i++) {
		rss.push((await processUsage(pid)).rssBytes);
		await sleep(100);
	}
	const heap = HeapReport.parse(JSON.parse(await readFile(heapReportPath(pid), 'utf8')));
	return { rss: median(rss), ...heap };
}

/** Memory with STREAMS streams open at once, each past its first token (seen by the client). */
async function withStreamsOpen(target: Target, round: number): Promise<Reading & { open: number }> {
	const controller = new AbortController();
	// One signal for the whole batch: a thousand listeners on it are intended.
	setMaxListeners(0, controller.signal);
	let open = 0;
	const streams = Array.from({ length: STREAMS }, (_, i) =>
		streamCompletion(target.url, `round ${round} open ${i} ${PROMPT}`, target.headers, controller.signal, () => open++).catch(() => null)
	);
	const deadline = Date.now() + 30_000;
	while (open < STREAMS && Date.now() < deadline) await sleep(100);
	const reading = await liveMemory(target);
	controller.abort();
	await Promise.all(streams);
	return { open, ...reading };
}

/**
 * RSS per open stream at 1,000 streams, three rounds in the same processes, for Phosphor beside its
 * floor (the bare proxy: what two sockets per stream cost in Node) and its peer (Portkey), rounds
 * alternating between them. Per stream = (RSS with the streams open − RSS of the same process idle
 * before its first round) ÷ streams open, so whatever a round leaves behind shows in the next; the
 * V8 heap's figures tell live objects from heap the engine grew and kept.
 */
export async function streamMemoryBench(): Promise<void> {
	const sim = await startSimulatorProcess();
	const targets = await startTargets(sim.url, NAMES, NODE_ARGS).catch(async (error: unknown) => {
		await sim.stop();
		throw error;
	});
	try {
		const idle = new Map<TargetName, Reading>();
		for (const t of targets) {
			await Promise.all(Array.from({ length: 50 }, () => streamCompletion(t.url, 'warm [[sim:len=50]]', t.headers)));
			idle.set(t.name, await liveMemory(t));
		}
		const rounds = new Map<TargetName, Array<Reading & { open: number }>>(NAMES.map((n) => [n, []]));
		for (let round = 1; round <= ROUNDS; round++) {
			for (const t of targets) rounds.get(t.name)?.push(await withStreamsOpen(t, round));
		}
		const after = new Map<TargetName, Reading>();
		for (const t of targets) after.set(t.name, await liveMemory(t));

		const none = { open: 0, rss: NaN, heapUsed: NaN, heapTotal: NaN };
		const at = (name: TargetName, round: number) => rounds.get(name)?.[round - 1] ?? none;
		const perStream = (name: TargetName, round: number, key: keyof Reading) =>
			(at(name, round)[key] - (idle.get(name) ?? none)[key]) / Math.max(at(name, round).open, 1) / 1024;
		const kb = (name: TargetName, round: number) => perStream(name, round, 'rss');
		const mib = (bytes: number | undefined) => fmt((bytes ?? NaN) / 2 ** 20, 1);
		const numbers = Array.from({ length: ROUNDS }, (_, i) => i + 1);
		const last = ROUNDS;
		console.log(`  RSS per open stream at ${STREAMS} streams, KB (streams open per round: ${NAMES.map((n) => `${n} ${numbers.map((r) => at(n, r).open).join('/')}`).join(', ')}):`);
		table(NAMES, [
			...numbers.map((r): [string, string[]] => [`round ${r}`, NAMES.map((n) => fmt(kb(n, r), 1))]),
			[`÷ bare proxy’s, round 1 / ${last}`, NAMES.map((n) => `${fmt(kb(n, 1) / kb(FLOOR, 1))} / ${fmt(kb(n, last) / kb(FLOOR, last))}`)],
			[`growth, round 1 → ${last}`, NAMES.map((n) => fmt(kb(n, last) - kb(n, 1), 1))],
			[`V8 heap in use per stream, round 1 / ${last}`, NAMES.map((n) => `${fmt(perStream(n, 1, 'heapUsed'), 1)} / ${fmt(perStream(n, last, 'heapUsed'), 1)}`)],
			[`V8 heap size, MiB: idle, round 1 / ${last}`, NAMES.map((n) => `${mib(idle.get(n)?.heapTotal)}, ${mib(at(n, 1).heapTotal)} / ${mib(at(n, last).heapTotal)}`)],
			[`idle after round ${last}, MiB: RSS / heap size`, NAMES.map((n) => `${mib(after.get(n)?.rss)} / ${mib(after.get(n)?.heapTotal)}`)],
			[`  (idle before round 1)`, NAMES.map((n) => `${mib(idle.get(n)?.rss)} / ${mib(idle.get(n)?.heapTotal)}`)]
		]);
		for (const r of [1, last]) {
			const ratio = kb(OURS, r) / kb(FLOOR, r);
			report(`phosphor RSS per open stream ÷ floor’s (round ${r})`, `${fmt(kb(OURS, r), 1)} KB, ${fmt(ratio)}×`, '≤ 1.25×', ratio <= 1.25);
		}
		report(`phosphor growth per open stream, round 1 → ${last}`, `${fmt(kb(OURS, last) - kb(OURS, 1), 1)} KB`, 'flat', null);
	} finally {
		await Promise.all(targets.map((t) => (t.pid === undefined ? null : rm(heapReportPath(t.pid), { force: true }))));
		await stopTargets(targets);
		await sim.stop();
	}
}
