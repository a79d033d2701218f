import { chromium, type Browser, type Page } from '@playwright/test';
import { build } from 'esbuild';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { findChromium } from '../../../scripts/find-chromium.mjs';
import { ROOT } from '../processes';
import type { PageApi } from './page/entry';

/**
 * The page-side benchmark code (bench/lib/sync/page/, which imports the real client store and
 * applier from src/), bundled with esbuild and served by a tiny loopback HTTP server to a
 * headless Chromium: the real IndexedDB, not fake-indexeddb.
 */
export interface BenchPage {
	page: Page;
	/** Calls a page-side benchmark function and returns its (JSON) result. */
	call<K extends keyof PageApi>(name: K, ...args: Parameters<PageApi[K]>): Promise<Awaited<ReturnType<PageApi[K]>>>;
	close(): Promise<void>;
}

const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

export async function openBenchPage(): Promise<BenchPage> {
	const bundle = await build({
		entryPoints: [join(ROOT, 'bench/lib/sync/page/entry.ts')],
		bundle: true,
		format: 'iife',
		platform: 'browser',
		target: 'chrome120',
		minify: false,
		write: false,
		logLevel: 'silent'
	});
	const script = bundle.outputFiles[0]?.contents;
	if (!script) throw new Error('esbuild produced no bundle');
	const html = '<!doctype html><meta charset="utf-8"><title>phosphor sync bench</title><script src="/bench.js"></script>';
	const http = createServer((req, res) => {
		if (req.url === '/bench.js') {
			res.writeHead(200, { 'content-type': 'text/javascript', 'cache-control': 'no-store' });
			res.end(script);
		} else if (req.url === '/') {
			res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
			res.end(html);
		} else {
			res.writeHead(404).end();
		}
	});
	await new Promise<void>((r) => http.listen(0, '127.0.0.1', r));
	const closeHttp = () =>
		new Promise<void>((r) => {
			http.closeAllConnections();
			http.close(() => r());
		});
	let browser: Browser | undefined;
	try {
		const executablePath = findChromium();
		if (!executablePath) throw new Error('no Chromium found (set CHROMIUM_PATH)');
		// Playwright gives the browser a fresh temporary profile and removes it on close.
		browser = await chromium.launch({ executablePath, args: CHROMIUM_ARGS });
		const page = await browser.newPage();
		const errors: string[] = [];
		page.on('pageerror', (error) => errors.push(error.message));
		await page.goto(`http://127.0.0.1:${(http.address() as AddressInfo).port}/`);
		await page.waitForFunction(() => 'phosphorSyncBench' in globalThis);
		const opened = browser;
		async function call<K extends keyof PageApi>(name: K, ...args: Parameters<PageApi[K]>): Promise<Awaited<ReturnType<PageApi[K]>>> {
			const result = await page.evaluate(
				([fn, fnArgs]) => (globalThis as unknown as { phosphorSyncBench: Record<string, (...a: unknown[]) => unknown> }).phosphorSyncBench[fn]?.(...fnArgs),
				[name, args] as [string, unknown[]]
			);
			if (errors.length) throw new Error(`page errors: ${errors.join('; ')}`);
			return result as Awaited<ReturnType<PageApi[K]>>;
		}
		return {
			page,
			call,
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
