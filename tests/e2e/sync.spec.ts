import type { Browser, BrowserContext, Page } from '@playwright/test';
import { runAdmin } from '../helpers/admin-cli';
import { createAdmin, expect, test } from './fixtures';

const PASSWORD = 'a long enough password';

/** A second device of the same user: its own browser context (own IndexedDB, own cookies). */
async function device(browser: Browser, url: string, username: string, password = PASSWORD): Promise<{ context: BrowserContext; page: Page }> {
	const context = await browser.newContext();
	const page = await context.newPage();
	await page.goto(url);
	await signIn(page, username, password);
	return { context, page };
}

async function signIn(page: Page, username: string, password = PASSWORD) {
	await page.getByLabel('Username').fill(username);
	await page.getByLabel('Password').fill(password);
	await page.getByRole('button', { name: 'Sign in' }).click();
	await expect(page.getByRole('textbox', { name: 'Message' })).toBeVisible();
}

async function send(page: Page, text: string) {
	await page.getByRole('textbox', { name: 'Message' }).fill(text);
	await page.getByRole('button', { name: 'Send' }).click();
}

/** Sends and waits for this message's own reply to be complete. */
async function ask(page: Page, text: string) {
	await send(page, text);
	await expect(page.locator('.turn.user .user-text').last()).toHaveText(text);
	await expect(replies(page).last()).toHaveAttribute('data-state', 'done', { timeout: 20_000 });
}

/** Opens a new chat and waits until its empty composer is the one on screen. */
async function newChat(page: Page) {
	await page.getByRole('button', { name: 'New chat' }).click();
	await expect(page.getByRole('region', { name: 'New chat' })).toBeVisible();
}

const conversations = (page: Page) => page.getByRole('navigation', { name: 'Conversations' }).getByRole('listitem');
const replies = (page: Page) => page.locator('.turn.assistant');
const status = (page: Page) => page.getByRole('status', { name: 'Sync status' });

test('a message written on one device appears on another, live', async ({ page, server, browser }) => {
	await createAdmin(page, server, 'ada');
	await ask(page, 'First on A [[sim:len=60]]');

	const b = await device(browser, server.url, 'ada');
	await expect(conversations(b.page)).toHaveCount(1);
	await conversations(b.page).first().getByRole('link').click();
	await expect(b.page.locator('.turn.user .user-text')).toHaveText(['First on A [[sim:len=60]]']);
	await expect(replies(b.page)).toHaveAttribute('data-state', 'done');

	// Without a reload: the server pokes B, B pulls.
	await send(page, 'Second on A [[sim:len=40]]');
	await expect(b.page.locator('.turn.user .user-text')).toHaveText(['First on A [[sim:len=60]]', 'Second on A [[sim:len=40]]']);
	await expect(replies(b.page).last()).toHaveAttribute('data-state', 'done');
	await b.context.close();
});

test('offline: two messages queue, show as queued, then are sent and answered when the network returns', async ({ page, server, browser, context }) => {
	await createAdmin(page, server, 'ada');
	await ask(page, 'Online first [[sim:len=30]]');

	await context.setOffline(true);
	await expect(status(page)).toContainText('Offline');
	await send(page, 'Offline one [[sim:len=30]]');
	await expect(page.locator('.turn.user').last()).toHaveAttribute('data-state', 'queued');
	await send(page, 'Offline two [[sim:len=30]]');
	await expect(page.locator('.turn.user .user-text')).toHaveCount(3);
	await expect(status(page)).toContainText('4 unsynced changes');

	await context.setOffline(false);
	await expect(status(page)).toContainText('All changes synced', { timeout: 20_000 });
	await expect(replies(page)).toHaveCount(3);
	for (const reply of await replies(page).all()) await expect(reply).toHaveAttribute('data-state', 'done', { timeout: 20_000 });

	const b = await device(browser, server.url, 'ada');
	await conversations(b.page).first().getByRole('link').click();
	await expect(b.page.locator('.turn.user .user-text')).toHaveText(['Online first [[sim:len=30]]', 'Offline one [[sim:len=30]]', 'Offline two [[sim:len=30]]']);
	await expect(replies(b.page)).toHaveCount(3);
	await b.context.close();
});

test('an expired session keeps queued work and sends it after signing in again', async ({ page, server }) => {
	await createAdmin(page, server, 'ada');
	await ask(page, 'Before expiry [[sim:len=30]]');

	// The session ends on the server behind the app's back (as an expiry does).
	await page.evaluate(() => fetch('/trpc/auth.logout', { method: 'POST', headers: { 'content-type': 'application/json' } }));
	await send(page, 'After expiry [[sim:len=30]]');
	await expect(status(page)).toContainText('Signed out', { timeout: 20_000 });
	await expect(status(page)).toContainText('2 unsynced changes');

	await status(page).getByRole('button', { name: 'Sign in again' }).click();
	await signIn(page, 'ada');
	await expect(status(page)).toContainText('All changes synced', { timeout: 20_000 });
	await page.getByRole('navigation', { name: 'Conversations' }).getByRole('link').first().click();
	await expect(page.locator('.turn.user .user-text')).toHaveText(['Before expiry [[sim:len=30]]', 'After expiry [[sim:len=30]]']);
	await expect(replies(page).last()).toHaveAttribute('data-state', 'done');
});

test('clearing site data and signing in again restores everything, with no duplicates', async ({ page, server, context }) => {
	await createAdmin(page, server, 'ada');
	for (const text of ['One [[sim:len=20]]', 'Two [[sim:len=20]]']) {
		await newChat(page);
		await ask(page, text);
	}
	await expect(conversations(page)).toHaveCount(2);

	const cdp = await context.newCDPSession(page);
	await cdp.send('Storage.clearDataForOrigin', { origin: new URL(server.url).origin, storageTypes: 'all' });
	await context.clearCookies();
	await page.reload();
	await signIn(page, 'ada');
	await expect(conversations(page)).toHaveCount(2);
	await expect(conversations(page).getByRole('link')).toHaveText(['Two [[sim:len=20]]', 'One [[sim:len=20]]']);
	await conversations(page).first().getByRole('link').click();
	await expect(page.locator('.turn')).toHaveCount(2);
});

test('each person on a shared browser sees only their own conversations; wiping removes this device’s copy', async ({ page, server }) => {
	await createAdmin(page, server, 'ada');
	await ask(page, 'Ada private [[sim:len=20]]');
	const added = await runAdmin(server.databasePath, ['user', 'add', 'bob', '--password-stdin'], `${PASSWORD}\n`);
	expect(added.status, added.stderr).toBe(0);

	await page.getByRole('button', { name: 'Sign out' }).click();
	await page.getByRole('button', { name: 'Keep data on this device' }).click();
	await signIn(page, 'bob');
	await expect(page.getByText('No conversations yet.')).toBeVisible();
	await expect(page.getByText('Ada private')).toHaveCount(0);

	await page.getByRole('button', { name: 'Sign out' }).click();
	await page.getByRole('button', { name: "Wipe this device's data" }).click();
	await expect(page.getByRole('button', { name: 'Sign in' })).toBeVisible();
	const databases = await page.evaluate(async () => (await indexedDB.databases()).map((d) => d.name));
	expect(databases).toHaveLength(1); // ada's, kept; bob's wiped
	await signIn(page, 'ada');
	await expect(conversations(page)).toHaveCount(1);
});

test('search filters conversations by title and message text, offline too', async ({ page, server, context }) => {
	await createAdmin(page, server, 'ada');
	for (const text of ['Lisbon trip plans [[sim:len=20]]', 'Sourdough starter [[sim:len=20]]']) {
		await newChat(page);
		await ask(page, text);
	}
	await ask(page, 'How much flour for a loaf? [[sim:len=20]]');
	await context.setOffline(true);
	const search = page.getByRole('searchbox', { name: 'Search conversations' });
	const found = page.getByRole('list', { name: 'Search results' }).locator('.title');
	await search.fill('lisbon');
	await expect(found).toHaveText(['Lisbon trip plans [[sim:len=20]]']);
	await search.fill('FLOUR');
	await expect(found).toHaveText(['Sourdough starter [[sim:len=20]]']);
	// Written offline, still queued: found too.
	await send(page, 'Croissant dough next');
	await search.fill('croissant');
	await expect(found).toHaveText(['Sourdough starter [[sim:len=20]]']);
	await search.fill('');
	await expect(conversations(page)).toHaveCount(2);
});

test('pin, rename, archive and delete a conversation, and see it on another device', async ({ page, server, browser }) => {
	await createAdmin(page, server, 'ada');
	for (const text of ['Alpha [[sim:len=10]]', 'Beta [[sim:len=10]]', 'Gamma [[sim:len=10]]']) {
		await newChat(page);
		await ask(page, text);
	}
	const item = (name: string) => conversations(page).filter({ hasText: name });
	/** Each conversation's actions are in its "⋯" menu. */
	const act = async (name: string, action: string) => {
		await item(name).getByRole('button', { name: /^Actions for / }).click();
		await item(name).getByRole('button', { name: action }).click();
	};
	await act('Alpha', 'Pin');
	await expect(conversations(page).first()).toContainText('Alpha');
	await act('Beta', 'Rename');
	await page.getByRole('textbox', { name: 'New title' }).fill('Renamed beta');
	await page.getByRole('button', { name: 'Save' }).click();
	await act('Gamma', 'Archive');
	await expect(conversations(page)).toHaveCount(2);
	page.once('dialog', (dialog) => void dialog.accept());
	await act('Renamed beta', 'Delete');
	await expect(conversations(page)).toHaveCount(1);
	await expect(status(page)).toContainText('All changes synced');

	const b = await device(browser, server.url, 'ada');
	await expect(conversations(b.page).getByRole('link')).toHaveText([/Alpha/]);
	await b.page.getByLabel('Show archived').check();
	await expect(conversations(b.page)).toHaveCount(2);
	await b.context.close();
});
