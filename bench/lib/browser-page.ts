import { chromium, type Browser, type Page } from '@playwright/test';
import { build } from 'esbuild';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { basename, join } from 'node:path';
import { findChromium } from '../../scripts/find-chromium.mjs';
import { ROOT } from './processes';

const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

type PageFunctions = Record<string, (...args: never[]) => unknown>;

export interface BundledPage<Api extends PageFunctions> {
	browser: Browser;
	page: Page;
	/** Calls a function the page put on `globalThis[name]` and returns its (JSON) result. */
	call<K extends keyof Api & string>(name: K, ...args: Parameters<Api[K]>): Promise<Awaited<ReturnType<Api[K]>>>;
	close(): Promise<void>;
}

/**
 * Page-side benchmark code (an entry under bench/lib, importing the real client code from src/),
 * bundled with esbuild as ES modules — dynamic imports stay separate chunks, as in the app — and
 * served by a loopback HTTP server to a headless Chromium: the real browser, the real IndexedDB.
 * The entry exposes its functions on `globalThis[global]`.
 */
export async function openBundledPage<Api extends PageFunctions>(options: { entry: string; global: string; minify?: boolean }): Promise<BundledPage<Api>> {
	const bundle = await build({
		entryPoints: [join(ROOT, options.entry)],
		bundle: true,
		format: 'esm',
		splitting: true,
		outdir: join(ROOT, '.tmp', `bench-${options.global}`),
		platform: 'browser',
		target: 'chrome120',
		minify: options.minify ?? true,
		write: false,
		logLevel: 'silent'
	});
	const files = new Map(bundle.outputFiles.map((f) => [`/${basename(f.path)}`, f.contents]));
	const main = `/${basename(options.entry).replace(/\.ts$/, '.js')}`;
	const html = `<!doctype html><meta charset="utf-8"><title>phosphor bench</title><script type="module" src="${main}"></script><body></body>`;
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
		const executablePath = findChromium();
		if (!executablePath) throw new Error('no Chromium found (set CHROMIUM_PATH)');
		// Playwright gives the browser a fresh temporary profile and removes it on close.
		browser = await chromium.launch({ executablePath, args: CHROMIUM_ARGS });
		const page = await browser.newPage();
		const errors: string[] = [];
		page.on('pageerror', (error) => errors.push(error.message));
		await page.goto(`http://127.0.0.1:${(http.address() as AddressInfo).port}/`);
		await page.waitForFunction((name) => name in globalThis, options.global);
		const opened = browser;
		return {
			browser: opened,
			page,
			async call<K extends keyof Api & string>(name: K, ...args: Parameters<Api[K]>): Promise<Awaited<ReturnType<Api[K]>>> {
				const result = await page.evaluate(
					([global, fn, fnArgs]) => (globalThis as unknown as Record<string, Record<string, (...a: unknown[]) => unknown>>)[global]?.[fn]?.(...fnArgs),
					[options.global, name, args] as [string, string, unknown[]]
				);
				if (errors.length) throw new Error(`page errors: ${errors.join('; ')}`);
				return result as Awaited<ReturnType<Api[K]>>;
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
