import { build } from 'esbuild';
import { basename, join, resolve } from 'node:path';
import { expect, test } from './fixtures';
import { PAYLOADS } from './xss/payloads';
import type { Violation, XssReport } from './xss/harness';

const ROOT = resolve(import.meta.dirname, '..', '..');

/**
 * Every payload of tests/e2e/xss/payloads.ts rendered by src/lib/render in real Chromium under
 * the exact Content-Security-Policy the production server sends: one-shot and streamed with
 * random splits, lazy renderers (highlight.js, KaTeX) loaded as separate chunks. Nothing may
 * execute, violate the CSP, draw a forbidden element or attribute, link outside the allowlist, or
 * swallow the rest of the reply.
 */
test('the XSS corpus renders inert and whole under the production CSP', async ({ page, server }) => {
	test.setTimeout(90_000);
	const shell = await fetch(`${server.url}/`);
	expect(shell.status).toBe(200);
	const csp = shell.headers.get('content-security-policy');
	expect(csp).toBeTruthy();
	expect(csp).toContain("script-src 'self'");
	expect(csp).not.toContain("'unsafe-inline' 'unsafe-eval'");

	// The harness and the renderer, bundled now, with the lazy renderers as separate chunks.
	const bundle = await build({
		entryPoints: [join(ROOT, 'tests/e2e/xss/harness.ts')],
		bundle: true,
		format: 'esm',
		splitting: true,
		outdir: join(ROOT, '.tmp/xss-harness'),
		platform: 'browser',
		target: 'chrome120',
		minify: true,
		write: false,
		logLevel: 'silent'
	});
	const files = new Map(bundle.outputFiles.map((f) => [basename(f.path), f.text]));
	expect(files.has('harness.js')).toBe(true);
	expect(files.size).toBeGreaterThan(3);
	const html =
		'<!doctype html><html><head><meta charset="utf-8"><title>xss harness</title>' +
		// Canary: the CSP must block this inline script (proves the policy is in force).
		'<script>window.__inlineRan = true</script>' +
		'<script type="module" src="/__xss/harness.js"></script></head><body><div id="root"></div></body></html>';

	await page.route(`${server.url}/__xss/**`, async (route) => {
		const name = new URL(route.request().url()).pathname.slice('/__xss/'.length);
		const headers = { 'content-security-policy': csp as string, 'x-content-type-options': 'nosniff', 'cache-control': 'no-store' };
		if (name === 'harness.html') return route.fulfill({ status: 200, headers: { ...headers, 'content-type': 'text/html; charset=utf-8' }, body: html });
		const js = files.get(name);
		if (js === undefined) return route.fulfill({ status: 404, headers, body: '' });
		return route.fulfill({ status: 200, headers: { ...headers, 'content-type': 'text/javascript; charset=utf-8' }, body: js });
	});

	const consoleLines: string[] = [];
	page.on('console', (message) => consoleLines.push(`${message.type()}: ${message.text()}`));
	const pageErrors: string[] = [];
	page.on('pageerror', (error) => pageErrors.push(error.message));

	// Before any page script, outside the CSP's reach: the execution and violation detectors.
	await page.addInitScript(() => {
		window.__phase = 'load';
		window.__xssCalls = [];
		window.__xss = (n: number) => {
			window.__xssCalls.push(n);
		};
		for (const name of ['alert', 'confirm', 'prompt', 'print'] as const) {
			(window as unknown as Record<string, unknown>)[name] = () => window.__xssCalls.push(0);
		}
		window.__violations = [];
		document.addEventListener('securitypolicyviolation', (e) => {
			window.__violations.push({ phase: window.__phase, directive: e.effectiveDirective, blocked: e.blockedURI, sample: e.sample });
		});
	});

	await page.goto(`${server.url}/__xss/harness.html`);
	await page.waitForFunction(() => typeof window.__runXss === 'function');
	const startUrl = page.url();
	const report: XssReport = await page.evaluate(() => window.__runXss());
	const after = await page.evaluate(() => ({
		calls: window.__xssCalls,
		violations: window.__violations,
		inlineRan: (window as unknown as { __inlineRan?: boolean }).__inlineRan === true
	}));

	// The policy is in force (the canary inline script was blocked) and the detectors work.
	expect(after.inlineRan).toBe(false);
	expect(after.violations.some((v: Violation) => v.phase === 'load' && v.directive.startsWith('script-src'))).toBe(true);
	expect(report.controlViolations).toBeGreaterThan(0);
	expect(report.controlProblems).toEqual(expect.arrayContaining(['<img>', 'img[onerror]', '<form>', '<input>']));
	expect(report.controlProblems.some((p) => p.startsWith('a[href=javascript:'))).toBe(true);

	// The corpus.
	expect(report.payloads).toBe(PAYLOADS.length);
	expect(report.payloads).toBeGreaterThanOrEqual(150);
	console.log(`xss: ${report.payloads} payloads, ${report.renders} renders, ${report.steps} streamed steps checked`);
	expect(report.failures).toEqual([]);
	expect(after.calls).toEqual([]);
	expect(after.violations.filter((v: Violation) => v.phase === 'payloads' || v.phase === 'done')).toEqual([]);
	const payloadConsole = consoleLines.slice(
		consoleLines.findIndex((l) => l.includes('XSS-HARNESS payloads')),
		consoleLines.findIndex((l) => l.includes('XSS-HARNESS done'))
	);
	expect(payloadConsole.filter((l) => /Content.Security.Policy|Refused to/i.test(l))).toEqual([]);
	expect(pageErrors).toEqual([]);
	expect(page.url()).toBe(startUrl);
});
