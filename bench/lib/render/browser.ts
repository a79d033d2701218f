import type { Page } from '@playwright/test';
import { openBundledPage } from '../browser-page';
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

export async function openRenderBenchPage(): Promise<RenderBenchPage> {
	const opened = await openBundledPage<PageApi>({ entry: 'bench/lib/render/page.ts', global: 'phosphorRenderBench', minify: !process.env.RENDER_BENCH_NO_MINIFY });
	return {
		page: opened.page,
		call: opened.call,
		async traced(name, ...args) {
			await opened.browser.startTracing(opened.page, { categories: ['toplevel', 'blink.user_timing', 'devtools.timeline'] });
			const result = await opened.call(name, ...args);
			return { result, ...taskCpuTimes(JSON.parse((await opened.browser.stopTracing()).toString('utf8'))) };
		},
		close: opened.close
	};
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
