/**
 * CPU profile of the compiled server's /v1 streaming path under load, printed as the functions
 * and files that cost the most self time. Not a benchmark (no target): the tool that says what a
 * benchmark's missed figure is made of.
 *
 *   npm run build:server && npx tsx bench/profile/hot-path.ts [requests=3000] [concurrency=100] [reply length=64]
 *   PROFILE_TARGET=floor npx tsx bench/profile/hot-path.ts …   (the bare proxy, for comparison)
 *   PROFILE_KIND=allocations npx tsx bench/profile/hot-path.ts …   (bytes allocated, by function)
 *
 * Starts the standalone simulator and `node --cpu-prof dist/server/main.js` on a temp database,
 * sends the streams, stops the server (which writes the profile) and summarises it. For
 * allocations, V8's sampling heap profiler runs in the process instead
 * (bench/lib/allocation-sampling.mjs), counting what is collected too, from after a warm-up of
 * 500 requests.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { streamCompletion } from '../lib/stream-client';
import { startProcess } from '../lib/processes';

const ROOT = resolve(import.meta.dirname, '..', '..');
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

function summariseAllocations(head: AllocationNode, requests: number): void {
	const bytes = new Map<string, number>();
	let total = 0;
	const walk = (node: AllocationNode) => {
		const frame = node.callFrame;
		const file = frame.url.replace(/^file:\/\//, '').replace(`${ROOT}/`, '').replace(/^.*node_modules\//, 'node_modules/');
		const key = `${frame.functionName || '(anonymous)'}  ${file}:${frame.lineNumber + 1}`;
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
		const file = frame.url.replace(/^file:\/\//, '').replace(`${ROOT}/`, '').replace(/^.*node_modules\//, 'node_modules/');
		const key = `${frame.functionName || '(anonymous)'}  ${file}:${frame.lineNumber + 1}`;
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
	const base = { DATABASE_PATH: join(dir, 'p.db'), LOG_LEVEL: 'warn' };
	const admin = (...args: string[]) => {
		const result = spawnSync(process.execPath, ['dist/server/admin.js', ...args], { cwd: ROOT, env: { PATH: process.env.PATH ?? '', ...base }, encoding: 'utf8' });
		if (result.status !== 0) throw new Error(result.stderr);
		return result.stdout.trim();
	};
	admin('user', 'add', 'bench');
	const token = admin('token', 'create', 'bench');
	const sim = await startProcess(['--import', 'tsx', 'server/simulator/standalone.ts'], { SIMULATOR_PORT: '0' }, /Simulator listening on (\S+)/);
	const allocationFile = join(dir, 'allocations.heapprofile');
	const profiling = ALLOCATIONS ? ['--import', './bench/lib/allocation-sampling.mjs'] : ['--cpu-prof', `--cpu-prof-dir=${dir}`];
	const floor = process.env.PROFILE_TARGET === 'floor';
	const server = floor
		? await startProcess([...profiling, '--import', 'tsx', 'bench/lib/bare-proxy-main.ts'], { UPSTREAM_URL: sim.url, ALLOCATION_PROFILE: allocationFile }, /Bare proxy listening on (\S+)/)
		: await startProcess(
				[...profiling, 'dist/server/main.js'],
				{ ...base, PORT: '0', HOST: '127.0.0.1', UPSTREAM_BASE_URL: sim.url, OPENROUTER_API_KEY: 'bench', LOG_LEVEL: 'info', ALLOCATION_PROFILE: allocationFile },
				/Phosphor listening on (\S+)/
			);
	const url = floor ? server.url : `${server.url}/v1`;
	const headers = { authorization: `Bearer ${token}` };
	const send = async (requests: number) => {
		let next = 0;
		await Promise.all(
			Array.from({ length: CONCURRENCY }, async () => {
				while (next++ < requests) await streamCompletion(url, PROMPT, headers);
			})
		);
	};
	try {
		if (ALLOCATIONS) {
			await send(WARM_UP);
			process.kill(server.pid, 'SIGWINCH');
			await send(REQUESTS);
			process.kill(server.pid, 'SIGWINCH');
			for (let waited = 0; !existsSync(allocationFile) && waited < 100; waited++) await new Promise((r) => setTimeout(r, 100));
		} else {
			await send(REQUESTS);
		}
	} finally {
		await server.stop();
		await sim.stop();
	}
	if (ALLOCATIONS) {
		summariseAllocations((JSON.parse(readFileSync(allocationFile, 'utf8')) as { head: AllocationNode }).head, REQUESTS);
		rmSync(dir, { recursive: true, force: true });
		return;
	}
	const file = readdirSync(dir).find((f) => f.endsWith('.cpuprofile'));
	if (!file) throw new Error('no profile written');
	summarise(JSON.parse(readFileSync(join(dir, file), 'utf8')) as Profile, REQUESTS);
	if (process.env.KEEP_PROFILE) console.log(`profile: ${join(dir, file)}`);
	else rmSync(dir, { recursive: true, force: true });
}

await main();
