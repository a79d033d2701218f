import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

export const ROOT = resolve(import.meta.dirname, '..', '..');

interface Proc {
	url: string;
	pid: number;
	stop(): Promise<void>;
}

function startProcess(args: string[], env: Record<string, string>, ready: RegExp, nodeArgs: string[] = []): Promise<Proc> {
	const child = spawn(process.execPath, [...nodeArgs, '--import', 'tsx', ...args], {
		cwd: ROOT,
		env: { PATH: process.env.PATH ?? '', ...env },
		stdio: ['ignore', 'pipe', 'pipe']
	});
	const exited = new Promise<void>((r) => child.once('exit', () => r()));
	return new Promise((resolveProc, reject) => {
		let out = '';
		const onData = (chunk: Buffer) => {
			out += chunk.toString();
			const match = out.match(ready);
			if (match?.[1]) {
				resolveProc({
					url: match[1],
					pid: child.pid as number,
					stop: async () => {
						child.kill('SIGTERM');
						const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
						await exited;
						clearTimeout(timer);
					}
				});
			}
		};
		child.stdout.on('data', onData);
		child.stderr.on('data', onData);
		child.once('exit', () => reject(new Error(`process ${args.join(' ')} exited:\n${out}`)));
	});
}

export const startSimulatorProcess = () =>
	startProcess(['server/simulator/standalone.ts'], { SIMULATOR_PORT: '0' }, /Simulator listening on (\S+)/);

export interface MemoryReading {
	rss: number;
	heapUsed: number;
}

interface ProxyReading extends MemoryReading {
	/** User and system CPU time of the proxy process so far. */
	cpuSeconds: number;
}

/** The bare pass-through proxy (the floor), in its own process like the server. */
export async function startBareProxyProcess(upstream: string) {
	const proc = await startProcess(['bench/lib/bare-proxy-main.ts'], { UPSTREAM_URL: upstream }, /Bare proxy listening on (\S+ memory at \S+)/);
	const [url = '', memoryUrl = ''] = proc.url.split(' memory at ');
	const read = async () => (await (await fetch(memoryUrl)).json()) as ProxyReading;
	return {
		...proc,
		url,
		memory: read,
		cpuSeconds: async () => (await read()).cpuSeconds
	};
}

/**
 * Extra node flags for the server process only, e.g. `BENCH_SERVER_NODE_ARGS="--cpu-prof
 * --cpu-prof-dir=/tmp/prof"` or `--heapsnapshot-signal=SIGUSR2`: Node refuses these in NODE_OPTIONS.
 */
const SERVER_NODE_ARGS = (process.env.BENCH_SERVER_NODE_ARGS ?? '').split(/\s+/).filter(Boolean);

/** The real server on a temp database, pointed at `upstream`, with a user and an API token. */
export async function startServerProcess(upstream: string, env: Record<string, string> = {}) {
	const dir = mkdtempSync(join(tmpdir(), 'phosphor-bench-'));
	const base = { DATABASE_PATH: join(dir, 'bench.db'), LOG_LEVEL: 'warn' };
	const admin = (...args: string[]) => {
		const result = spawnSync(process.execPath, ['--import', 'tsx', 'server/cli/admin.ts', ...args], {
			cwd: ROOT,
			env: { PATH: process.env.PATH ?? '', ...base },
			encoding: 'utf8'
		});
		if (result.status !== 0) throw new Error(`admin ${args.join(' ')} failed: ${result.stderr}`);
		return result.stdout.trim();
	};
	admin('user', 'add', 'bench');
	const token = admin('token', 'create', 'bench');
	const server = await startProcess(
		['server/main.ts'],
		{ ...base, PORT: '0', HOST: '127.0.0.1', UPSTREAM_BASE_URL: upstream, OPENROUTER_API_KEY: 'bench', LOG_LEVEL: 'info', ...env },
		/Phosphor listening on (\S+)/,
		SERVER_NODE_ARGS
	);
	return {
		...server,
		token,
		stop: async () => {
			await server.stop();
			rmSync(dir, { recursive: true, force: true });
		}
	};
}

/** The server's RSS and V8 heap in use, from its /metrics. */
export async function readServerMemory(serverUrl: string): Promise<MemoryReading> {
	return {
		rss: await readMetric(serverUrl, 'process_resident_memory_bytes'),
		heapUsed: await readMetric(serverUrl, 'nodejs_heap_used_bytes')
	};
}

/** Reads one gauge or counter from the server's /metrics. */
export async function readMetric(serverUrl: string, name: string): Promise<number> {
	const text = await (await fetch(`${serverUrl}/metrics`)).text();
	const line = text.split('\n').find((l) => l.startsWith(`${name} `));
	if (!line) throw new Error(`no metric ${name}`);
	return Number(line.slice(name.length + 1));
}
