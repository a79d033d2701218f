/**
 * CPU profile of the compiled server's /v1 streaming path under load, printed as the functions
 * and files that cost the most self time. Not a benchmark (no target): the tool that says what a
 * benchmark's missed figure is made of.
 *
 *   npm run build:server && npx tsx bench/profile/hot-path.ts [requests=3000] [concurrency=100] [reply length=64]
 *   PROFILE_TARGET=floor npx tsx bench/profile/hot-path.ts …   (the bare proxy, for comparison)
 *   PROFILE_KIND=allocations npx tsx bench/profile/hot-path.ts …   (bytes allocated, by function)
 *
 * Starts the standalone simulator and the server as the benchmarks do (bench/lib/targets.ts: the
 * compiled build with the production flags, on a temp database) with `--cpu-prof`, sends the
 * streams, stops the server (which writes the profile) and summarises its main thread's. For
 * allocations, V8's sampling heap profiler runs in the process instead
 * (bench/lib/allocation-sampling.mjs), counting what is collected too, from after a warm-up of
 * 500 requests.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT, startSimulatorProcess } from '../lib/processes';
import { sendInFlight } from '../lib/stream-client';
import { FLOOR, OURS, startTargets, stopTargets } from '../lib/targets';

const REQUESTS = Number(process.argv[2] ?? 3000);
const CONCURRENCY = Number(process.argv[3] ?? 100);
const PROMPT = `Benchmark [[sim:len=${Number(process.argv[4] ?? 64)}]]`;

interface ProfileNode {
	id: number;
	callFrame: { functionName: string; url: string; lineNumber: number };
}
interface Profile {
	nodes: ProfileNode[];
	samples: number[];
	timeDeltas: number[];
}
interface AllocationNode {
	callFrame: ProfileNode['callFrame'];
	selfSize: number;
	children: AllocationNode[];
}

const ALLOCATIONS = process.env.PROFILE_KIND === 'allocations';
const WARM_UP = 500;

/** `function  file:line`, with the repo's root and node_modules' paths cut short. */
function frameKey(frame: ProfileNode['callFrame']): { key: string; file: string } {
	const file = frame.url.replace(/^file:\/\//, '').replace(`${ROOT}/`, '').replace(/^.*node_modules\//, 'node_modules/');
	return { key: `${frame.functionName || '(anonymous)'}  ${file}:${frame.lineNumber + 1}`, file };
}

function summariseAllocations(head: AllocationNode, requests: number): void {
	const bytes = new Map<string, number>();
	let total = 0;
	const walk = (node: AllocationNode) => {
		const { key } = frameKey(node.callFrame);
		bytes.set(key, (bytes.get(key) ?? 0) + node.selfSize);
		total += node.selfSize;
		for (const child of node.children) walk(child);
	};
	walk(head);
	console.log(`allocated: ${(total / 1024 / requests).toFixed(1)} KB per request over ${requests} requests (sampled)`);
	for (const [key, size] of [...bytes].sort((a, b) => b[1] - a[1]).slice(0, 40)) {
		console.log(`  ${(size / 1024 / requests).toFixed(2).padStart(7)} KB/req  ${((100 * size) / total).toFixed(1).padStart(5)} %  ${key}`);
	}
}


function summarise(profile: Profile, requests: number): void {
	const byNode = new Map(profile.nodes.map((n) => [n.id, n]));
	const self = new Map<string, number>();
	const byFile = new Map<string, number>();
	let total = 0;
	profile.samples.forEach((id, i) => {
		const frame = byNode.get(id)?.callFrame;
		const us = profile.timeDeltas[i] ?? 0;
		if (!frame || frame.functionName === '(idle)') return;
		total += us;
		const { key, file } = frameKey(frame);
		self.set(key, (self.get(key) ?? 0) + us);
		const group = file.startsWith('node_modules/') ? file.split('/').slice(0, file.includes('/@') ? 3 : 2).join('/') : file || '(native/gc)';
		byFile.set(group, (byFile.get(group) ?? 0) + us);
	});
	const show = (title: string, rows: Map<string, number>, n: number) => {
		console.log(title);
		for (const [key, us] of [...rows].sort((a, b) => b[1] - a[1]).slice(0, n)) {
			console.log(`  ${(us / 1000 / requests).toFixed(4).padStart(8)} ms/req  ${((100 * us) / total).toFixed(1).padStart(5)} %  ${key}`);
		}
	};
	console.log(`busy CPU: ${(total / 1000 / requests).toFixed(3)} ms per request over ${requests} requests`);
	show('by file or package (self time)', byFile, 25);
	show('by function (self time)', self, 40);
}

async function main(): Promise<void> {
	const dir = mkdtempSync(join(tmpdir(), 'phosphor-profile-'));
	const profiling = ALLOCATIONS ? ['--import', './bench/lib/allocation-sampling.mjs'] : ['--cpu-prof', `--cpu-prof-dir=${dir}`];
	const sim = await startSimulatorProcess();
	const [target] = await startTargets(sim.url, [process.env.PROFILE_TARGET === 'floor' ? FLOOR : OURS], profiling);
	if (!target?.pid) throw new Error('the target did not start');
	const pid = target.pid;
	const allocationFile = join(tmpdir(), `allocation-sampling-${pid}.heapprofile`);
	const send = (requests: number) => sendInFlight(target, PROMPT, requests, CONCURRENCY);
	try {
		if (ALLOCATIONS) {
			await send(WARM_UP);
			process.kill(pid, 'SIGWINCH');
			await send(REQUESTS);
			process.kill(pid, 'SIGWINCH');
			for (let waited = 0; !existsSync(allocationFile) && waited < 100; waited++) await new Promise((r) => setTimeout(r, 100));
		} else {
			await send(REQUESTS);
		}
	} finally {
		await stopTargets([target]);
		await sim.stop();
	}
	if (ALLOCATIONS) {
		summariseAllocations((JSON.parse(readFileSync(allocationFile, 'utf8')) as { head: AllocationNode }).head, REQUESTS);
		rmSync(allocationFile, { force: true });
		rmSync(dir, { recursive: true, force: true });
		return;
	}
	// One profile per thread (`CPU.<date>.<pid>.<thread>.<seq>`): thread 0 is the main one.
	const file = readdirSync(dir).find((f) => /\.0\.\d+\.cpuprofile$/.test(f));
	if (!file) throw new Error('no profile written');
	summarise(JSON.parse(readFileSync(join(dir, file), 'utf8')) as Profile, REQUESTS);
	if (process.env.KEEP_PROFILE) console.log(`profile: ${join(dir, file)}`);
	else rmSync(dir, { recursive: true, force: true });
}

await main();
