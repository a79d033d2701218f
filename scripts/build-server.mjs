// `npm run build:server`: the server as plain JavaScript in dist/server/, run in production as
// `node dist/server/main.js` (no transpiler at run time). Packages stay in node_modules; our own
// code (server/ and the src/lib/domain files it imports) is bundled, one file per entry, so that
// each entry sits beside the migrations it reads (server/db/client.ts finds them next to itself)
// and the commit thread's script it starts.
import { cpSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { staleReason } from './staleness.mjs';

const root = resolve(import.meta.dirname, '..');
const out = join(root, 'dist', 'server');
/** Entry points, by output name: the server, and the admin CLI for images without tsx's help. */
const ENTRIES = { main: 'server/main.ts', admin: 'server/cli/admin.ts' };
const SOURCES = ['server', 'src/lib/domain', 'package-lock.json', 'tsconfig.server.json', 'scripts/build-server.mjs', 'scripts/staleness.mjs'];

/** Why dist/server must be built again, or null when it is up to date. */
export function serverBuildIsStale() {
	return staleReason(root, join(out, 'main.js'), SOURCES);
}

export async function buildServer() {
	let esbuild;
	try {
		esbuild = await import('esbuild');
	} catch {
		console.error('The server build needs esbuild, a dev dependency that is not installed. Run `npm install` first.');
		process.exit(1);
	}
	rmSync(out, { recursive: true, force: true });
	await esbuild.build({
		absWorkingDir: root,
		entryPoints: ENTRIES,
		outdir: out,
		bundle: true,
		// Dependencies load from node_modules as they are (better-sqlite3 is native).
		packages: 'external',
		platform: 'node',
		format: 'esm',
		target: 'node20',
		tsconfig: 'tsconfig.server.json',
		sourcemap: 'linked',
		logLevel: 'warning'
	});
	cpSync(join(root, 'server', 'db', 'migrations'), join(out, 'migrations'), { recursive: true });
	// The commit thread's script, loaded by path beside the bundle (server/db/commit-thread.ts).
	cpSync(join(root, 'server', 'db', 'commit-worker.mjs'), join(out, 'commit-worker.mjs'));
}

/** Builds when dist/server is missing or older than its sources (npm start). */
export async function ensureServerBuild() {
	const stale = serverBuildIsStale();
	if (!stale) return;
	console.log(`Building the server (dist/server is ${stale})…`);
	await buildServer();
}

if (import.meta.url === `file://${process.argv[1]}`) await buildServer();
