import { spawn } from 'node:child_process';
import { resolve } from 'node:path';

const ROOT = resolve(import.meta.dirname, '..', '..');

/** The standalone simulator in its own process, so its bookkeeping stays out of this heap. */
export async function startSimulatorProcess(): Promise<{ url: string; stop(): Promise<void> }> {
	const child = spawn(process.execPath, ['--import', 'tsx', 'server/simulator/standalone.ts'], {
		cwd: ROOT,
		env: { PATH: process.env.PATH ?? '', SIMULATOR_PORT: '0', SIMULATOR_HOST: '127.0.0.1' },
		stdio: ['ignore', 'pipe', 'inherit']
	});
	const exited = new Promise<void>((r) => child.once('exit', () => r()));
	const url = await new Promise<string>((resolveUrl, reject) => {
		let out = '';
		const timer = setTimeout(() => reject(new Error(`simulator did not start:\n${out}`)), 20_000);
		child.stdout.on('data', (chunk: Buffer) => {
			out += chunk.toString();
			const match = out.match(/Simulator listening on (\S+)/);
			if (match?.[1]) {
				clearTimeout(timer);
				resolveUrl(match[1]);
			}
		});
		child.once('exit', () => reject(new Error(`simulator exited:\n${out}`)));
	});
	return {
		url,
		stop: async () => {
			child.kill('SIGTERM');
			await exited;
		}
	};
}
