import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { slowFsyncEnv } from './slow-fsync';

export const ROOT = resolve(import.meta.dirname, '..', '..');

export interface Proc {
	url: string;
	pid: number;
	stop(): Promise<void>;
}

/** A node process of its own; resolves with the first capture of `ready` in its output. */
export function startProcess(nodeArgs: string[], env: Record<string, string>, ready: RegExp): Promise<Proc> {
	const child = spawn(process.execPath, nodeArgs, {
		cwd: ROOT,
		env: { PATH: process.env.PATH ?? '', ...env },
		stdio: ['ignore', 'pipe', 'pipe']
	});
	const exited = new Promise<void>((r) => child.once('exit', () => r()));
	return new Promise((resolveProc, reject) => {
		let out = '';
		let started = false;
		const onData = (chunk: Buffer) => {
			// Once started, keep only a tail for the exit message: a process logging per request must
			// not cost the bench client a growing string and a regex over it on every line.
			out = started ? (out + chunk.toString()).slice(-10_000) : out + chunk.toString();
			if (started) return;
			const match = out.match(ready);
			if (match?.[1]) {
				started = true;
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
		child.once('exit', () => reject(new Error(`process ${nodeArgs.join(' ')} exited:\n${out}`)));
	});
}

const tsx = (script: string) => ['--import', 'tsx', script];

export const startSimulatorProcess = () => startProcess(tsx('server/simulator/standalone.ts'), { SIMULATOR_PORT: '0' }, /Simulator listening on (\S+)/);

/** The bare pass-through proxy (the floor), in its own process like the server. */
export const startBareProxyProcess = (upstream: string, nodeArgs: string[] = []) =>
	startProcess([...nodeArgs, ...tsx('bench/lib/bare-proxy-main.ts')], { UPSTREAM_URL: upstream }, /Bare proxy listening on (\S+)/);

/**
 * Extra node flags for the server process only, e.g. `BENCH_SERVER_NODE_ARGS="--cpu-prof
 * --cpu-prof-dir=/tmp/prof"` or `--heapsnapshot-signal=SIGUSR2`: Node refuses these in NODE_OPTIONS.
 */
const SERVER_NODE_ARGS = (process.env.BENCH_SERVER_NODE_ARGS ?? '').split(/\s+/).filter(Boolean);

let compiled = false;

/**
 * How production runs the server: compiled JavaScript when the repo builds it (`build:server`, built
 * once per bench run, admin CLI beside it) with the node flags `npm start` passes (e.g.
 * `--max-semi-space-size=2`), else through tsx as `npm run server` does.
 */
function serverScripts(): { main: string[]; admin: string[] } {
	const scripts = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts?: Record<string, string> }).scripts ?? {};
	if (!scripts['build:server']) return { main: tsx('server/main.ts'), admin: tsx('server/cli/admin.ts') };
	if (!compiled) {
		const build = spawnSync('npm', ['run', 'build:server'], { cwd: ROOT, encoding: 'utf8' });
		if (build.status !== 0) throw new Error(`npm run build:server failed:\n${build.stdout}${build.stderr}`);
		compiled = true;
	}
	const productionFlags = (scripts.start ?? '').split(/\s+/).filter((word) => word.startsWith('--'));
	return { main: [...productionFlags, 'dist/server/main.js'], admin: ['dist/server/admin.js'] };
}

/** The real server on a temp database, pointed at `upstream`, with a user and an API token. */
export async function startServerProcess(upstream: string, nodeArgs: string[] = []) {
	const dir = mkdtempSync(join(tmpdir(), 'phosphor-bench-'));
	const base = { DATABASE_PATH: join(dir, 'bench.db'), LOG_LEVEL: 'warn' };
	const scripts = serverScripts();
	const admin = (...args: string[]) => {
		const result = spawnSync(process.execPath, [...scripts.admin, ...args], {
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
		[...SERVER_NODE_ARGS, ...nodeArgs, ...scripts.main],
		{ ...base, PORT: '0', HOST: '127.0.0.1', UPSTREAM_BASE_URL: upstream, OPENROUTER_API_KEY: 'bench', LOG_LEVEL: 'info', ...slowFsyncEnv() },
		/Phosphor listening on (\S+)/
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
