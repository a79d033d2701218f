import type { Page } from '@playwright/test';
import { runAdmin } from '../helpers/admin-cli';
import { ask, expect, newChat, replies, screenshotPath, setTheme, start, tab, test, THEMES, type TestServer, type ThemeId } from './helpers/grid';

// PNGs of every main view in each theme, for a person to look at: .tmp/screenshots/grid/<size>-<theme>-<view>.png

const WIDE = [
	'Wide things: a code line, a URL and a table.',
	'',
	'```ts',
	'const aVeryLongVariableNameThatGoesOnAndOn = someFunctionWithAVeryLongName(argumentNumberOne, argumentNumberTwo);',
	'```',
	'',
	'https://example.com/a/very/long/path/that/never/breaks/anywhere/0123456789012345678901234567890123456789',
	'',
	'| Column one | Column two | Column three | Column four | Column five | Column six |',
	'| --- | --- | --- | --- | --- | --- |',
	'| aaaaaaaaaaaa | bbbbbbbbbbbb | cccccccccccc | dddddddddddd | eeeeeeeeeeee | ffffffffffff |',
	'',
	'[[sim:echo]]'
].join('\n');

/** Two conversations with rendered markdown, a failed reply, a budget: the panels have something to show. */
async function furnish(page: Page, server: TestServer) {
	await start(page, server);
	const set = await runAdmin(server.databasePath, ['budget', 'set', 'ada', '--limit-usd', '1', '--period', 'month']);
	expect(set.status, set.stderr).toBe(0);
	await ask(page, 'Broken upstream [[sim:status=503]]', 'failed');
	await newChat(page);
	await ask(page, WIDE);
	await newChat(page);
	await ask(page, 'A markdown tour, please [[sim:len=1500]]');
}

async function openTour(page: Page) {
	await page.getByRole('navigation', { name: 'Conversations' }).getByRole('link', { name: 'A markdown tour' }).click();
	await expect(page.locator('.turn.user .user-text')).toHaveText(['A markdown tour, please [[sim:len=1500]]']);
	await expect(replies(page).first().locator('.md pre code .hljs-keyword').first()).toBeVisible();
	await expect(replies(page).first().locator('.md table').first()).toBeVisible();
}

async function openWide(page: Page) {
	await page.getByRole('navigation', { name: 'Conversations' }).getByRole('link', { name: 'Wide things' }).click();
	await expect(page.locator('.turn.user .user-text')).toHaveCount(1);
	await expect(page.locator('.turn.user .user-text')).toContainText('Wide things');
	await expect(replies(page).last().locator('.md table')).toBeVisible();
}

/** The transcript scrolled to its start (it opens at its end). */
async function toTop(page: Page) {
	await page.getByRole('log', { name: 'Transcript' }).locator('.plain').evaluate((el) => el.scrollTo(0, 0));
}

async function shoot(page: Page, name: string) {
	await page.mouse.move(0, 0);
	await page.screenshot({ path: screenshotPath(name), animations: 'disabled', caret: 'hide' });
}

async function signInScreens(page: Page, size: string) {
	await page.getByRole('button', { name: 'Sign out' }).click();
	await page.getByRole('button', { name: 'Keep data on this device' }).click();
	for (const theme of THEMES) {
		await page.evaluate((id) => localStorage.setItem('phosphor.settings', JSON.stringify({ theme: id })), theme.id);
		await page.reload();
		await expect(page.getByRole('button', { name: 'Sign in' })).toBeVisible();
		await expect(page.locator('html')).toHaveAttribute('data-theme', theme.id);
		await shoot(page, `${size}-${theme.id}-sign-in`);
	}
}

test.describe('desktop', () => {
	test.use({ viewport: { width: 1440, height: 900 } });

	test('screenshots at 1440×900: new chat, conversation, search, usage, settings, palette, sign-in — each theme', async ({ page, server }) => {
		test.setTimeout(120_000);
		await furnish(page, server);
		for (const theme of THEMES) {
			const name = (view: string) => `desktop-${theme.id}-${view}`;
			await setTheme(page, theme.id as ThemeId);
			await newChat(page);
			await shoot(page, name('new-chat'));
			await openTour(page);
			await shoot(page, name('conversation'));
			await toTop(page);
			await shoot(page, name('conversation-top'));
			await openWide(page);
			await shoot(page, name('conversation-wide'));
			await page.getByRole('searchbox', { name: 'Search conversations' }).fill('ledger');
			await expect(page.getByRole('list', { name: 'Search results' }).locator('mark').first()).toBeVisible();
			await shoot(page, name('search'));
			await page.getByRole('searchbox', { name: 'Search conversations' }).fill('');
			await page.getByRole('link', { name: 'Usage' }).click();
			await expect(page.getByRole('figure', { name: 'Spend per model' }).getByRole('listitem').first()).toBeVisible();
			await shoot(page, name('usage'));
			await page.getByRole('button', { name: 'Settings' }).click();
			await expect(page.getByRole('dialog', { name: 'Settings' })).toBeVisible();
			await shoot(page, name('settings'));
			await page.keyboard.press('Escape');
			await page.keyboard.press('Control+K');
			await expect(page.getByRole('dialog', { name: 'Command palette' })).toBeVisible();
			await shoot(page, name('palette'));
			await page.keyboard.press('Escape');
			await expect(page.getByRole('dialog')).toHaveCount(0);
		}
		await signInScreens(page, 'desktop');
	});
});

test.describe('phone', () => {
	test.use({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });

	test('screenshots at 390×844: each tab (Chats, Chat, Model, Cost, Log), search, usage, settings, sign-in — each theme', async ({ page, server }) => {
		test.setTimeout(120_000);
		await furnish(page, server);
		for (const theme of THEMES) {
			const name = (view: string) => `phone-${theme.id}-${view}`;
			await setTheme(page, theme.id as ThemeId);
			await newChat(page);
			await shoot(page, name('new-chat'));
			await tab(page, 'Chats').click();
			await openTour(page);
			await shoot(page, name('tab-chat'));
			await toTop(page);
			await shoot(page, name('tab-chat-top'));
			await tab(page, 'Chats').click();
			await openWide(page);
			await shoot(page, name('tab-chat-wide'));
			for (const [label, view] of [['Chats', 'tab-chats'], ['Model', 'tab-model'], ['Cost', 'tab-cost'], ['Log', 'tab-log']] as const) {
				await tab(page, label).click();
				await expect(tab(page, label)).toHaveAttribute('aria-selected', 'true');
				await shoot(page, name(view));
			}
			await tab(page, 'Chats').click();
			await page.getByRole('searchbox', { name: 'Search conversations' }).fill('ledger');
			await expect(page.getByRole('list', { name: 'Search results' }).locator('mark').first()).toBeVisible();
			await shoot(page, name('search'));
			await page.getByRole('searchbox', { name: 'Search conversations' }).fill('');
			await page.getByRole('link', { name: 'Usage' }).click();
			await tab(page, 'Chat').click();
			await expect(page.getByRole('figure', { name: 'Spend per model' }).getByRole('listitem').first()).toBeVisible();
			await shoot(page, name('usage'));
			await page.getByRole('button', { name: 'Settings' }).click();
			await expect(page.getByRole('dialog', { name: 'Settings' })).toBeVisible();
			await shoot(page, name('settings'));
			await page.keyboard.press('Escape');
		}
		await signInScreens(page, 'phone');
	});
});
