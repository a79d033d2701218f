// The app's initial JavaScript: every module the shell loads before its first view can render —
// the entry, the root layout and the home page, with all their static imports (dynamic imports,
// such as the highlighter's grammars and math, load on demand and are not counted). Measured as
// gzip -9 of the built files.
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { gzipSync } from 'node:zlib';

/** Target and hard limit in bytes (kB = 1000 bytes). */
export const INITIAL_JS_TARGET = 100_000;
export const INITIAL_JS_LIMIT = 120_000;

export function initialJs(buildDir = resolve(import.meta.dirname, '..', 'build')) {
	const html = readFileSync(join(buildDir, 'index.html'), 'utf8');
	const roots = [...html.matchAll(/(?:href="|import\(")(\/_app\/immutable\/[^"]+\.js)"/g)].map((m) => m[1]);
	// The root layout (node 0) and the home page are what the first view needs; SvelteKit names route
	// nodes by index, so the home page's node is found from the app entry's node list.
	const app = roots.find((r) => r.includes('/entry/app.'));
	const appCode = app ? readFileSync(join(buildDir, app), 'utf8') : '';
	const nodes = [...appCode.matchAll(/import\("\.\.\/nodes\/(\d+)\.[\w-]+\.js"\)/g)];
	const nodeFile = (index) => {
		const match = appCode.match(new RegExp(`"\\.\\./nodes/${index}\\.[\\w-]+\\.js"`));
		return match ? `/_app/immutable/nodes/${match[0].slice(10, -1)}` : null;
	};
	for (const index of ['0', '2']) {
		const file = nodeFile(index);
		if (file) roots.push(file);
	}
	const seen = new Set();
	const queue = [...roots];
	while (queue.length) {
		const file = queue.shift();
		if (seen.has(file)) continue;
		seen.add(file);
		const code = readFileSync(join(buildDir, file), 'utf8');
		// Static imports only: `import … from"./x.js"` and `import"./x.js"`, not `import("./x.js")`.
		for (const m of code.matchAll(/(?:from\s*|import\s*)"(\.{1,2}\/[^"]+\.js)"/g)) {
			queue.push(join(dirname(file), m[1]));
		}
	}
	let raw = 0;
	let gzip = 0;
	const files = [];
	for (const file of seen) {
		const body = readFileSync(join(buildDir, file));
		const size = gzipSync(body, { level: 9 }).length;
		raw += body.length;
		gzip += size;
		files.push({ file, gzip: size });
	}
	files.sort((a, b) => b.gzip - a.gzip);
	return { gzip, raw, files, nodesInApp: nodes.length };
}

if (import.meta.url === `file://${process.argv[1]}`) {
	const { gzip, raw, files } = initialJs();
	const kb = (n) => `${(n / 1000).toFixed(1)} kB`;
	console.log(`initial JS: ${kb(gzip)} gzip (${kb(raw)} raw) in ${files.length} files — target ≤ ${kb(INITIAL_JS_TARGET)}, CI limit ${kb(INITIAL_JS_LIMIT)}`);
	for (const f of files.slice(0, 8)) console.log(`  ${kb(f.gzip).padStart(9)}  ${f.file}`);
	if (gzip > INITIAL_JS_LIMIT) {
		console.error(`initial JS is over the ${kb(INITIAL_JS_LIMIT)} limit: move heavy code behind a dynamic import()`);
		process.exit(1);
	}
}
