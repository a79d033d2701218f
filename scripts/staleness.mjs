// Whether a build output is older than the sources it was made from. Shared by the client build
// (ensure-build.mjs) and the server build (build-server.mjs).
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

function newestMtime(path) {
	if (!existsSync(path)) return 0;
	const stat = statSync(path);
	if (!stat.isDirectory()) return stat.mtimeMs;
	let newest = stat.mtimeMs;
	for (const entry of readdirSync(path)) {
		// Unit tests sit beside the code but are not part of any build.
		if (entry.endsWith('.test.ts')) continue;
		newest = Math.max(newest, newestMtime(join(path, entry)));
	}
	return newest;
}

/** Why `marker` must be built again ('missing', 'older than <source>'), or null when it is up to date. */
export function staleReason(root, marker, sources) {
	if (!existsSync(marker)) return 'missing';
	const built = statSync(marker).mtimeMs;
	const changed = sources.find((s) => newestMtime(join(root, s)) > built);
	return changed ? `older than ${changed}` : null;
}
