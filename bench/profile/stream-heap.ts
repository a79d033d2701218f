/**
 * What an open stream keeps on Phosphor's V8 heap, by kind of object: a heap snapshot of the
 * compiled server idle and another with 1,000 streams open (trickling, as `stream-memory` holds
 * them), diffed and divided by the streams. Also which functions the suspended async frames
 * belong to. Not a benchmark (no target): it says what `stream-memory`'s heap figure is made of.
 *
 *   npx tsx bench/profile/stream-heap.ts [streams=1000]
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startSimulatorProcess } from '../lib/processes';
import { streamCompletion } from '../lib/stream-client';
import { OURS, startTargets, stopTargets } from '../lib/targets';

const STREAMS = Number(process.argv[2] ?? 1000);

interface Snapshot {
	snapshot: { meta: { node_fields: string[]; node_types: [string[]]; edge_fields: string[]; edge_types: [string[]] } };
	nodes: number[];
	edges: number[];
	strings: string[];
}

/** Count and bytes per kind of object; suspended async frames per function. */
function summarise(file: string): { kinds: Map<string, { count: number; bytes: number }>; frames: Map<string, number> } {
	const s = JSON.parse(readFileSync(file, 'utf8')) as Snapshot;
	const { node_fields: nf, node_types: [types], edge_fields: ef, edge_types: [edgeTypes] } = s.snapshot.meta;
	const [type, name, size, edgeCount] = ['type', 'name', 'self_size', 'edge_count'].map((f) => nf.indexOf(f)) as [number, number, number, number];
	const [edgeType, edgeName, edgeTo] = ['type', 'name_or_index', 'to_node'].map((f) => ef.indexOf(f)) as [number, number, number];
	const kinds = new Map<string, { count: number; bytes: number }>();
	const frames = new Map<string, number>();
	let edge = 0;
	for (let i = 0; i < s.nodes.length; i += nf.length) {
		const t = types[s.nodes[i + type] as number] as string;
		const n = s.strings[s.nodes[i + name] as number] as string;
		const key = t === 'object' || t === 'closure' ? `${t} ${n || '(anonymous)'}` : t;
		const entry = kinds.get(key) ?? { count: 0, bytes: 0 };
		entry.count++;
		entry.bytes += s.nodes[i + size] as number;
		kinds.set(key, entry);
		const edges = s.nodes[i + edgeCount] as number;
		// A suspended async function is a generator object whose `function` edge names it.
		if (t === 'object' && n === 'Generator') {
			for (let k = 0; k < edges; k++) {
				const at = edge + k * ef.length;
				if (edgeTypes[s.edges[at + edgeType] as number] === 'element' || s.strings[s.edges[at + edgeName] as number] !== 'function') continue;
				const fn = s.strings[s.nodes[(s.edges[at + edgeTo] as number) + name] as number] || '(anonymous)';
				frames.set(fn, (frames.get(fn) ?? 0) + 1);
			}
		}
		edge += edges * ef.length;
	}
	return { kinds, frames };
}

const dir = mkdtempSync(join(tmpdir(), 'phosphor-heap-'));
const sim = await startSimulatorProcess();
const [server] = await startTargets(sim.url, [OURS], ['--heapsnapshot-signal=SIGUSR2', `--diagnostic-dir=${dir}`]);
if (!server?.pid) throw new Error('the server did not start');
const target = server;

async function snapshot(): Promise<string> {
	const before = new Set(readdirSync(dir));
	process.kill(target.pid as number, 'SIGUSR2');
	for (;;) {
		await new Promise((r) => setTimeout(r, 250));
		const file = readdirSync(dir).find((f) => !before.has(f) && f.endsWith('.heapsnapshot'));
		if (!file) continue;
		// Written over a while: done once it has a size that stays the same for half a second.
		for (let size = -1; ; ) {
			await new Promise((r) => setTimeout(r, 500));
			const now = statSync(join(dir, file)).size;
			if (now > 0 && now === size) return join(dir, file);
			size = now;
		}
	}
}

const abort = new AbortController();
let streams: Array<Promise<unknown>> = [];
try {
	await Promise.all(Array.from({ length: 50 }, () => streamCompletion(target.url, 'warm [[sim:len=50]]', target.headers)));
	const idle = summarise(await snapshot());
	let open = 0;
	streams = Array.from({ length: STREAMS }, (_, i) =>
		streamCompletion(target.url, `open ${i} [[sim:len=40 trickle=1000]]`, target.headers, abort.signal, () => open++).catch(() => null)
	);
	while (open < STREAMS) await new Promise((r) => setTimeout(r, 100));
	const busy = summarise(await snapshot());
	const rows = [...busy.kinds].map(([key, b]) => {
		const a = idle.kinds.get(key) ?? { count: 0, bytes: 0 };
		return { key, count: (b.count - a.count) / STREAMS, bytes: (b.bytes - a.bytes) / STREAMS };
	});
	const total = rows.reduce((sum, r) => sum + r.bytes, 0);
	console.log(`V8 heap per open stream (${STREAMS} open − idle): ${(total / 1024).toFixed(1)} KB`);
	for (const r of rows.sort((x, y) => y.bytes - x.bytes).slice(0, 30)) {
		console.log(`  ${r.bytes.toFixed(0).padStart(6)} B  ${r.count.toFixed(2).padStart(6)} per stream  ${r.key.slice(0, 80)}`);
	}
	console.log('suspended async frames per open stream, by function:');
	for (const [fn, n] of [...busy.frames].sort((x, y) => y[1] - x[1])) {
		const extra = (n - (idle.frames.get(fn) ?? 0)) / STREAMS;
		if (extra >= 0.5) console.log(`  ${extra.toFixed(2).padStart(6)}  ${fn}`);
	}
} finally {
	abort.abort();
	await Promise.all(streams);
	await stopTargets([target]);
	await sim.stop();
	rmSync(dir, { recursive: true, force: true });
}
