// `npm test`: unit + integration (vitest) and e2e (Playwright in system Chromium), one summary line at the end.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { ensureBuild } from './ensure-build.mjs';
import { findChromium } from './find-chromium.mjs';
import { INITIAL_JS_LIMIT, initialJs } from './initial-js.mjs';

const root = resolve(import.meta.dirname, '..');
const out = join(root, '.tmp', 'test-results');
rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });

function ensureChromium() {
	if (findChromium()) return;
	const isRoot = process.getuid?.() === 0;
	const hasApt = spawnSync('sh', ['-c', 'command -v apt-get'], { stdio: 'ignore' }).status === 0;
	if (!isRoot || !hasApt) {
		console.error(
			'No Chromium found for the end-to-end tests.\n' +
				'Install Debian\'s: sudo apt-get update && sudo apt-get install -y chromium\n' +
				'or point CHROMIUM_PATH at a Chromium or Chrome binary.'
		);
		process.exit(1);
	}
	console.log('Installing Debian chromium for the end-to-end tests (apt-get)…');
	const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
	for (const args of [['update', '-qq'], ['install', '-y', '-qq', 'chromium']]) {
		if (spawnSync('apt-get', args, { stdio: 'inherit', env }).status !== 0) {
			console.error(`apt-get ${args.join(' ')} failed; install chromium by hand and run npm test again.`);
			process.exit(1);
		}
	}
}

const bin = (name) => join(root, 'node_modules', '.bin', name);

ensureChromium();
ensureBuild();

// The app's first paint must stay small: over the limit fails the run like a failing test.
const bundle = initialJs(join(root, 'build'));
const bundleOk = bundle.gzip <= INITIAL_JS_LIMIT;
console.log(`initial JS ${(bundle.gzip / 1000).toFixed(1)} kB gzip (limit ${INITIAL_JS_LIMIT / 1000} kB): ${bundleOk ? 'ok' : 'OVER THE LIMIT'}`);

const vitestJson = join(out, 'vitest.json');
const vitestRun = spawnSync(bin('vitest'), ['run', '--reporter=default', '--reporter=json', `--outputFile.json=${vitestJson}`], {
	cwd: root,
	stdio: 'inherit'
});

const playwrightJson = join(out, 'playwright.json');
const playwrightRun = spawnSync(bin('playwright'), ['test'], {
	cwd: root,
	stdio: 'inherit',
	env: { ...process.env, PLAYWRIGHT_JSON_OUTPUT_NAME: playwrightJson }
});

function readJson(file) {
	return existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')) : null;
}

let passed = bundleOk ? 1 : 0;
let failed = bundleOk ? 0 : 1;
let skipped = 0;
const vitest = readJson(vitestJson);
if (vitest) {
	passed += vitest.numPassedTests;
	failed += vitest.numFailedTests + countFilesFailedOutsideTests(vitest);
	skipped += (vitest.numPendingTests ?? 0) + (vitest.numTodoTests ?? 0);
} else {
	console.error('vitest wrote no report: counting it as one failure.');
	failed += 1;
}
// Errors outside any test (unhandled rejections, config errors) fail the run without failing a test.
if (vitestRun.status !== 0 && failed === 0) {
	console.error(`vitest exited with status ${vitestRun.status} outside any test: counting one failure.`);
	failed += 1;
}
const failedBeforePlaywright = failed;
const playwright = readJson(playwrightJson);
if (playwright?.stats) {
	passed += playwright.stats.expected + (playwright.stats.flaky ?? 0);
	failed += playwright.stats.unexpected;
	skipped += playwright.stats.skipped ?? 0;
	if (playwright.errors?.length) failed += playwright.errors.length;
} else {
	console.error('Playwright wrote no report: counting it as one failure.');
	failed += 1;
}

if (playwrightRun.status !== 0 && failed === failedBeforePlaywright) {
	console.error(`Playwright exited with status ${playwrightRun.status} outside any test: counting one failure.`);
	failed += 1;
}

/** A file that failed to load (or in a hook) has no failed test but is a failure. */
function countFilesFailedOutsideTests(report) {
	return (report.testResults ?? []).filter(
		(file) => file.status === 'failed' && !file.assertionResults?.some((t) => t.status === 'failed')
	).length;
}

console.log(`\n${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`);
process.exit(failed > 0 || passed === 0 ? 1 : 0);
