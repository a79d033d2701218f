import { chromium, type BrowserContext, type Page } from '@playwright/test';
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { findChromium } from '../../scripts/find-chromium.mjs';
import { startServerProcess, type ServerProcess } from '../helpers/server-process';
import { tempDir } from '../helpers/temp-dir';
import { expect, test } from './fixtures';

const ROOT = resolve(import.meta.dirname, '..', '..');
const PASSWORD = 'a long enough password';
const ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

/**
 * A browser profile on disk: Chromium reports every incognito context (Playwright's default) as
 * not installable, and a real installed PWA lives in a profile like this one.
 */
async function profile(): Promise<{ context: BrowserContext; page: Page; close(): Promise<void> }> {
	const dir = mkdtempSync(join(tmpdir(), 'phosphor-pwa-'));
	const context = await chromium.launchPersistentContext(dir, { executablePath: findChromium() ?? undefined, args: ARGS, viewport: { width: 1440, height: 900 } });
	const page = context.pages()[0] ?? (await context.newPage());
	return {
		context,
		page,
		close: async () => {
			await context.close();
			rmSync(dir, { recursive: true, force: true });
		}
	};
}

async function setUp(page: Page, server: ServerProcess) {
	const [, code] = await server.waitFor(/Setup code: ([A-Z0-9]{4}-[A-Z0-9]{4}-[A-Z0-9]{4})/);
	await page.goto(server.url);
	await page.getByLabel('Setup code').fill(code as string);
	await page.getByLabel('Username').fill('ada');
	await page.getByLabel('Password').fill(PASSWORD);
	await page.getByRole('button', { name: 'Create admin' }).click();
	await expect(page.getByRole('textbox', { name: 'Message' })).toBeVisible();
}

async function ask(page: Page, text: string) {
	await page.getByRole('textbox', { name: 'Message' }).fill(text);
	await page.getByRole('button', { name: 'Send' }).click();
	await expect(page.locator('.turn.user .user-text').last()).toHaveText(text);
	await expect(page.locator('.turn.assistant').last()).toHaveAttribute('data-state', 'done', { timeout: 20_000 });
}

/** The first worker takes over the page it was installed from (clientsClaim). */
async function controlled(page: Page) {
	await page.waitForFunction(() => navigator.serviceWorker.controller !== null, null, { timeout: 20_000 });
}

const status = (page: Page) => page.getByRole('status', { name: 'Sync status' });
const conversations = (page: Page) => page.getByRole('navigation', { name: 'Conversations' }).getByRole('listitem');

test('installable: manifest from the design tokens, icons, a service worker in control; Install is offered', async ({ server }) => {
	const { context, page, close } = await profile();
	try {
		await setUp(page, server);
		await controlled(page);
		const cdp = await context.newCDPSession(page);
		expect(await cdp.send('Page.getInstallabilityErrors')).toEqual({ installabilityErrors: [] });
		const manifest = (await (await fetch(`${server.url}/manifest.webmanifest`)).json()) as Record<string, unknown>;
		expect(manifest).toMatchObject({ id: '/', name: 'Phosphor', short_name: 'Phosphor', start_url: '/', scope: '/', display: 'standalone', background_color: '#050806', theme_color: '#050806' });
		expect((manifest.icons as Array<{ sizes: string; purpose: string }>).map((i) => `${i.sizes} ${i.purpose}`)).toEqual(['192x192 any', '512x512 any', '192x192 maskable', '512x512 maskable']);
		for (const icon of ['/icons/icon-192.png', '/icons/maskable-512.png', '/icons/apple-touch-icon.png']) expect((await fetch(`${server.url}${icon}`)).status).toBe(200);
		const worker = await fetch(`${server.url}/sw.js`);
		expect(worker.headers.get('cache-control')).toBe('no-cache');
		// The shell still carries its strict policy.
		expect((await fetch(`${server.url}/`)).headers.get('content-security-policy')).toMatch(/script-src 'self' 'sha256-/);
		await expect(page.getByRole('button', { name: 'Install' })).toBeVisible();
	} finally {
		await close();
	}
});

test('offline cold start: signed in as the last user, history reads and searches, a message queues and is answered back online', async ({ server }) => {
	const { context, page, close } = await profile();
	try {
		await setUp(page, server);
		await ask(page, 'Lisbon itinerary [[sim:len=300]]');
		await page.getByRole('button', { name: 'New chat' }).click();
		await ask(page, 'Bread hydration [[sim:len=300]]');
		await controlled(page);

		await context.setOffline(true);
		await page.goto(server.url);
		await expect(page.getByRole('button', { name: 'Sign in' })).toHaveCount(0);
		await expect(conversations(page)).toHaveCount(2);
		await expect(status(page)).toContainText('Offline');
		await conversations(page).filter({ hasText: 'Lisbon' }).getByRole('link').click();
		await expect(page.locator('.turn')).toHaveCount(2);
		await expect(page.locator('.turn.assistant .md')).not.toBeEmpty();
		await page.getByRole('searchbox', { name: 'Search conversations' }).fill('hydration');
		await expect(page.getByRole('list', { name: 'Search results' }).locator('.title')).toHaveText(['Bread hydration [[sim:len=300]]']);
		await page.getByRole('searchbox', { name: 'Search conversations' }).fill('');

		await page.getByRole('textbox', { name: 'Message' }).fill('Written offline [[sim:len=40]]');
		await page.getByRole('button', { name: 'Send' }).click();
		await expect(page.locator('.turn.user').last()).toHaveAttribute('data-state', 'queued');
		await expect(status(page)).toContainText('unsynced');

		await context.setOffline(false);
		await expect(page.locator('.turn.assistant').last()).toHaveAttribute('data-state', 'done', { timeout: 30_000 });
		await expect(status(page)).toContainText('All changes synced');
		await expect(status(page)).not.toContainText('Offline');
	} finally {
		await close();
	}
});

test('a deep link to a conversation opens offline', async ({ server }) => {
	const { context, page, close } = await profile();
	try {
		await setUp(page, server);
		await ask(page, 'Deep link me [[sim:len=200]]');
		const url = page.url();
		expect(url).toMatch(/\/c\/[\w-]+$/);
		await controlled(page);
		await page.goto(server.url);
		await context.setOffline(true);
		await page.goto(url);
		await expect(page.getByRole('region', { name: 'Deep link me [[sim:len=200]]' })).toBeVisible();
		await expect(page.locator('.turn.assistant .md')).not.toBeEmpty();
	} finally {
		await close();
	}
});

test.describe('updates', () => {
	// Two builds served in turn: the current one, then a second build of another version.
	const next = tempDir('phosphor-build-next-');
	test.beforeAll(() => {
		const built = spawnSync(process.execPath, [join(ROOT, 'node_modules/vite/bin/vite.js'), 'build'], {
			cwd: ROOT,
			env: { ...process.env, PHOSPHOR_BUILD_DIR: next.path, PHOSPHOR_BUILD_VERSION: `e2e-next-${Date.now()}` },
			encoding: 'utf8'
		});
		if (built.status !== 0) throw new Error(`second build failed:\n${built.stdout}\n${built.stderr}`);
	});
	test.afterAll(() => next.cleanup());

	test('a new version shows “Update available”; Reload switches to it and the draft survives', async () => {
		test.setTimeout(120_000);
		const served = tempDir('phosphor-served-');
		const dbDir = tempDir('phosphor-pwa-db-');
		cpSync(join(ROOT, 'build'), served.path, { recursive: true });
		const server = await startServerProcess({ DATABASE_PATH: `${dbDir.path}/phosphor.db`, STATIC_DIR: served.path });
		const { page, close } = await profile();
		try {
			await setUp(page, server).catch((error: unknown) => {
				throw new Error(`${String(error)}\nserver output:\n${server.output()}`);
			});
			await controlled(page);
			const first = await page.evaluate(() => fetch('/_app/version.json').then((r) => r.json()));
			await page.getByRole('textbox', { name: 'Message' }).fill('A draft I have not sent');

			// The next version arrives on the server; the app checks for it.
			rmSync(served.path, { recursive: true, force: true });
			cpSync(next.path, served.path, { recursive: true });
			await page.evaluate(() => navigator.serviceWorker.getRegistration().then((r) => r?.update()));
			const updateBar = status(page);
			await expect(updateBar).toContainText('Update available', { timeout: 30_000 });
			const reloaded = page.waitForEvent('load');
			await updateBar.getByRole('button', { name: 'Reload' }).click();
			await reloaded;
			await expect(page.getByRole('textbox', { name: 'Message' })).toHaveValue('A draft I have not sent');
			const second = await page.evaluate(() => fetch('/_app/version.json').then((r) => r.json()));
			expect(second).not.toEqual(first);
			expect(JSON.stringify(second)).toContain(readFileSync(join(next.path, '_app/version.json'), 'utf8').match(/e2e-next-\d+/)?.[0] ?? 'missing');
			await expect(status(page)).not.toContainText('Update available');
		} finally {
			await close();
			await server.stop();
			served.cleanup();
			dbDir.cleanup();
		}
	});
});
