import { spawn } from 'node:child_process';
import { resolve } from 'node:path';

const ROOT = resolve(import.meta.dirname, '..', '..');

export interface CliResult {
	status: number | null;
	stdout: string;
	stderr: string;
}

/**
 * `npm run admin -- …` as a real process against `databasePath`. Async, so a server running in
 * this process keeps answering meanwhile; `input` is written to its stdin.
 */
export function runAdmin(databasePath: string, args: string[], input?: string): Promise<CliResult> {
	return new Promise((resolveRun, reject) => {
		const child = spawn(process.execPath, ['--import', 'tsx', 'server/cli/admin.ts', ...args], {
			cwd: ROOT,
			env: { ...process.env, DATABASE_PATH: databasePath },
			stdio: [input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe']
		});
		let stdout = '';
		let stderr = '';
		child.stdout?.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
		child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
		child.once('error', reject);
		child.once('close', (status) => resolveRun({ status, stdout, stderr }));
		if (input !== undefined) child.stdin?.end(input);
	});
}
