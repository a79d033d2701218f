import { chromium, type Browser, type Page } from '@playwright/test';
import { build } from 'esbuild';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { basename, join } from 'node:path';
import { ROOT } from '../processes';
import type { PageApi } from './page';

/**
 * bench/lib/render/page.ts (which imports src/lib/render) bundled with esbuild as ES modules with
 * the lazy renderers as separate chunks, served from loopback to a headless Chromium.
 */
export interface TaskTimes {
	/** Main-thread CPU time (ms) of each JS event handler (the bench's work) between the marks. */
	cpuMs: number[];
	/** Main-thread CPU time (ms) of everything between the marks, rendering frames included. */
	allCpuMs: number;
}

export interface RenderBenchPage {
	page: Page;
	/** Runs a page call under a trace and returns its result with per-task CPU times. */
	traced<K extends keyof PageApi>(name: K, ...args: Parameters<PageApi[K]>): Promise<{ result: Awaited<ReturnType<PageApi[K]>> } & TaskTimes>;
	call<K extends keyof PageApi>(name: K, ...args: Parameters<PageApi[K]>): Promise<Awaited<ReturnType<PageApi[K]>>>;
	close(): Promise<void>;
}

const CHROMIUM = '/usr/bin/chromium';
const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

export async function openRenderBenchPage(): Promise<RenderBenchPage> {
	const bundle = await build({
		entryPoints: [join(ROOT, 'bench/lib/render/page.ts')],
		bundle: true,
		format: 'esm',
		splitting: true,
		outdir: join(ROOT, '.tmp/render-bench'),
		platform: 'browser',
		target: 'chrome120',
		minify: process.env.RENDER_BENCH_NO_MINIFY ? false : true,
		write: false,
		logLevel: 'silent'
	});
	const files = new Map(bundle.outputFiles.map((f) => [`/${basename(f.path)}`, f.contents]));
	const html = '<!doctype html><meta charset="utf-8"><title>phosphor render bench</title><script type="module" src="/page.js"></script><body></body>';
	const http = createServer((req, res) => {
		const file = files.get(req.url ?? '');
		if (file) {
			res.writeHead(200, { 'content-type': 'text/javascript', 'cache-control': 'no-store' });
			res.end(file);
		} else if (req.url === '/') {
			res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
			res.end(html);
		} else res.writeHead(404).end();
	});
	await new Promise<void>((r) => http.listen(0, '127.0.0.1', r));
	const closeHttp = () =>
		new Promise<void>((r) => {
			http.closeAllConnections();
			http.close(() => r());
		});
	let browser: Browser | undefined;
	try {
		browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
		const page = await browser.newPage();
		const errors: string[] = [];
		page.on('pageerror', (error) => errors.push(error.message));
		await page.goto(`http://127.0.0.1:${(http.address() as AddressInfo).port}/`);
		await page.waitForFunction(() => 'phosphorRenderBench' in globalThis);
		const opened = browser;
		async function call<K extends keyof PageApi>(name: K, ...args: Parameters<PageApi[K]>): Promise<Awaited<ReturnType<PageApi[K]>>> {
			const result = await page.evaluate(
				([fn, fnArgs]) => (globalThis as unknown as { phosphorRenderBench: Record<string, (...a: unknown[]) => unknown> }).phosphorRenderBench[fn]?.(...fnArgs),
				[name, args] as [string, unknown[]]
			);
			if (errors.length) throw new Error(`page errors: ${errors.join('; ')}`);
			return result as Awaited<ReturnType<PageApi[K]>>;
		}
		return {
			page,
			call,
			async traced(name, ...args) {
				await opened.startTracing(page, { categories: ['toplevel', 'blink.user_timing', 'devtools.timeline'] });
				const result = await call(name, ...args);
				return { result, ...taskCpuTimes(JSON.parse((await opened.stopTracing()).toString('utf8'))) };
			},
			close: async () => {
				await opened.close();
				await closeHttp();
			}
		};
	} catch (error) {
		await browser?.close();
		await closeHttp();
		throw error;
	}
}

type TraceEvent = { name: string; ph: string; pid: number; tid: number; ts: number; dur?: number; tdur?: number; args?: { name?: string } };

/** Thread CPU times on the page's main thread between the two marks. */
function taskCpuTimes(trace: { traceEvents: TraceEvent[] }): TaskTimes {
	const events = trace.traceEvents;
	const start = events.find((e) => e.name === 'render-bench-start');
	const end = events.find((e) => e.name === 'render-bench-end');
	if (!start || !end) throw new Error('trace without the bench marks');
	const main = events.find((e) => e.name === 'thread_name' && e.args?.name === 'CrRendererMain' && e.pid === start.pid);
	const tid = main?.tid ?? start.tid;
	const between = (name: string) => events.filter((e) => e.ph === 'X' && e.name === name && e.pid === start.pid && e.tid === tid && e.ts >= start.ts && e.ts <= end.ts);
	const ms = (e: TraceEvent) => (e.tdur ?? e.dur ?? 0) / 1000;
	return { cpuMs: between('FunctionCall').map(ms), allCpuMs: between('ThreadControllerImpl::RunTask').map(ms).reduce((a, b) => a + b, 0) };
}
