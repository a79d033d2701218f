import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT } from '../processes';

export interface SyncServer {
	url: string;
	username: string;
	password: string;
	stop(): Promise<void>;
}

/**
 * The real server as a process of its own (as deployed: it does not share the bench client's event
 * loop) on a temp database and a free loopback port, with one user made by the admin CLI. No
 * upstream is configured, so it runs its built-in simulator; sync never calls it.
 */
export async function startSyncServer(): Promise<SyncServer> {
	const dir = mkdtempSync(join(tmpdir(), 'phosphor-sync-bench-'));
	const env = { PATH: process.env.PATH ?? '', DATABASE_PATH: join(dir, 'bench.db') };
	try {
		const added = spawnSync(process.execPath, ['--import', 'tsx', 'server/cli/admin.ts', 'user', 'add', 'bench'], { cwd: ROOT, env, encoding: 'utf8' });
		if (added.status !== 0) throw new Error(`admin user add failed: ${added.stderr}`);
		const password = added.stdout.trim();
		const child = spawn(process.execPath, ['--import', 'tsx', 'server/main.ts'], {
			cwd: ROOT,
			env: { ...env, PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'info' },
			stdio: ['ignore', 'pipe', 'pipe']
		});
		const exited = new Promise<void>((r) => child.once('exit', () => r()));
		const stop = async () => {
			if (child.exitCode === null && child.signalCode === null) {
				child.kill('SIGTERM');
				const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
				await exited;
				clearTimeout(timer);
			}
			rmSync(dir, { recursive: true, force: true });
		};
		const url = await new Promise<string>((resolve, reject) => {
			let out = '';
			const onData = (chunk: Buffer) => {
				out += chunk.toString();
				const match = out.match(/Phosphor listening on (\S+)/);
				if (match?.[1]) resolve(match[1]);
			};
			child.stdout.on('data', onData);
			child.stderr.on('data', onData);
			child.once('exit', () => reject(new Error(`server exited:\n${out}`)));
			setTimeout(() => reject(new Error(`server did not listen within 30 s:\n${out}`)), 30_000).unref();
		}).catch(async (error: unknown) => {
			await stop();
			throw error;
		});
		return { url, username: 'bench', password, stop };
	} catch (error) {
		rmSync(dir, { recursive: true, force: true });
		throw error;
	}
}
