import { spawn, type ChildProcess } from 'node:child_process';
import { resolve } from 'node:path';

const ROOT = resolve(import.meta.dirname, '..', '..');

export interface ServerProcess {
	child: ChildProcess;
	url: string;
	/** Everything the process wrote so far, stdout and stderr interleaved. */
	output(): string;
	waitFor(pattern: RegExp, timeoutMs?: number): Promise<RegExpMatchArray>;
	/** Sends the signal and resolves with the exit code (SIGKILL after the timeout). */
	stop(signal?: NodeJS.Signals, timeoutMs?: number): Promise<number | null>;
}

/** Runs `server/main.ts` as a real process on a free port (PORT=0) and waits until it listens. */
export async function startServerProcess(env: Record<string, string>, timeoutMs = 30_000): Promise<ServerProcess> {
	const handle = spawnServer(env);
	const match = await handle.waitFor(/Phosphor listening on (http:\/\/\S+)/, timeoutMs).catch((error: unknown) => {
		handle.child.kill('SIGKILL');
		throw error;
	});
	return { ...handle, url: match[1] as string };
}

/**
 * Servers still running when the test process ends (a test that timed out never reached its
 * `stop()`): killed on the way out, so no server outlives the suite.
 */
const running = new Set<ChildProcess>();
process.once('exit', () => {
	for (const child of running) child.kill('SIGKILL');
});

/** Spawns without waiting, for tests of processes that must fail at boot. */
export function spawnServer(env: Record<string, string>): Omit<ServerProcess, 'url'> & { exited: Promise<number | null> } {
	const child = spawn(process.execPath, ['--import', 'tsx', 'server/main.ts'], {
		cwd: ROOT,
		env: { PATH: process.env.PATH ?? '', HOST: '127.0.0.1', PORT: '0', LOG_LEVEL: 'info', ...env },
		stdio: ['ignore', 'pipe', 'pipe']
	});
	let text = '';
	const listeners = new Set<() => void>();
	const onData = (chunk: Buffer) => {
		text += chunk.toString('utf8');
		for (const l of listeners) l();
	};
	child.stdout?.on('data', onData);
	child.stderr?.on('data', onData);
	running.add(child);
	const exited = new Promise<number | null>((resolveExit) =>
		child.once('exit', (code) => {
			running.delete(child);
			resolveExit(code);
		})
	);

	const waitFor = (pattern: RegExp, timeoutMs = 15_000) =>
		new Promise<RegExpMatchArray>((resolveMatch, reject) => {
			const check = () => {
				const m = text.match(pattern);
				if (m) {
					cleanup();
					resolveMatch(m);
				}
			};
			const timer = setTimeout(() => {
				cleanup();
				reject(new Error(`timed out waiting for ${pattern} in server output:\n${text}`));
			}, timeoutMs);
			const onExit = () => {
				cleanup();
				reject(new Error(`server exited before ${pattern} appeared:\n${text}`));
			};
			const cleanup = () => {
				clearTimeout(timer);
				listeners.delete(check);
				child.off('exit', onExit);
			};
			listeners.add(check);
			child.once('exit', onExit);
			check();
		});

	const stop = async (signal: NodeJS.Signals = 'SIGTERM', timeoutMs = 10_000) => {
		if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
		child.kill(signal);
		const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
		const code = await exited;
		clearTimeout(timer);
		return code;
	};

	return { child, output: () => text, waitFor, stop, exited };
}
