// Builds the client when build/ is missing or older than its sources. Shared by start and test.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { staleReason } from './staleness.mjs';

const root = resolve(import.meta.dirname, '..');
const SOURCES = ['src', 'static', 'svelte.config.js', 'vite.config.ts', 'package-lock.json'];


export function buildIsStale() {
	return staleReason(root, join(root, 'build', 'index.html'), SOURCES);
}

export function ensureBuild() {
	const stale = buildIsStale();
	if (!stale) return;
	const vite = join(root, 'node_modules', '.bin', 'vite');
	if (!existsSync(vite)) {
		console.error(`The client build is ${stale}, and vite is not installed to build it. Run \`npm install\` first.`);
		process.exit(1);
	}
	console.log(`Building the client (build is ${stale})…`);
	const result = spawnSync(vite, ['build', '--logLevel', 'warn'], { cwd: root, stdio: 'inherit' });
	if (result.status !== 0) {
		console.error('The client build failed.');
		process.exit(result.status ?? 1);
	}
}

if (import.meta.url === `file://${process.argv[1]}`) ensureBuild();
