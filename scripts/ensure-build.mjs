// Builds the client when build/ is missing or older than its sources. Shared by start and test.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';

const root = resolve(import.meta.dirname, '..');
const SOURCES = ['src', 'static', 'svelte.config.js', 'vite.config.ts', 'package-lock.json'];

function newestMtime(path) {
	if (!existsSync(path)) return 0;
	const stat = statSync(path);
	if (!stat.isDirectory()) return stat.mtimeMs;
	let newest = stat.mtimeMs;
	for (const entry of readdirSync(path)) {
		// Unit tests sit beside the code but are not part of the bundle.
		if (entry.endsWith('.test.ts')) continue;
		newest = Math.max(newest, newestMtime(join(path, entry)));
	}
	return newest;
}

export function buildIsStale() {
	const marker = join(root, 'build', 'index.html');
	if (!existsSync(marker)) return 'missing';
	const built = statSync(marker).mtimeMs;
	const changed = SOURCES.find((s) => newestMtime(join(root, s)) > built);
	return changed ? `older than ${changed}` : null;
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
