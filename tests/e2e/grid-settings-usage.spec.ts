import type { Page } from '@playwright/test';
import { ask, expect, newChat, pickModel, start, test, THEMES } from './helpers/grid';

test.use({ viewport: { width: 1440, height: 900 } });

const settingsDialog = (page: Page) => page.getByRole('dialog', { name: 'Settings' });
const html = (page: Page) => page.locator('html');

async function openSettings(page: Page) {
	await page.getByRole('button', { name: 'Settings' }).click();
	await expect(settingsDialog(page)).toBeVisible();
}

test('each theme applies at once: Phosphor green, Amber, Paper', async ({ page, server }) => {
	await start(page, server);
	await openSettings(page);
	const backgrounds = new Set<string>();
	for (const theme of [...THEMES].reverse()) {
		await settingsDialog(page).getByRole('radio', { name: theme.label }).check();
		await expect(html(page)).toHaveAttribute('data-theme', theme.id);
		backgrounds.add(await page.evaluate(() => getComputedStyle(document.body).backgroundColor));
	}
	expect(backgrounds.size, 'each theme has its own background').toBe(3);
	await expect(settingsDialog(page).getByRole('radio', { name: 'Phosphor green' })).toBeChecked();
});

test('the chosen theme survives a reload and is applied before the first paint', async ({ page, server }) => {
	await start(page, server);
	await openSettings(page);
	await settingsDialog(page).getByRole('radio', { name: 'Paper' }).check();
	await expect(html(page)).toHaveAttribute('data-theme', 'paper');
	// Before any of the page's scripts: note the theme at the first animation frame (just before the first paint).
	await page.addInitScript(() => {
		requestAnimationFrame(() => {
			(window as unknown as { firstFrameTheme: string | undefined }).firstFrameTheme = document.documentElement.dataset.theme;
		});
	});
	await page.reload();
	await expect(html(page)).toHaveAttribute('data-theme', 'paper');
	expect(await page.evaluate(() => (window as unknown as { firstFrameTheme: string | undefined }).firstFrameTheme)).toBe('paper');
	await openSettings(page);
	await expect(settingsDialog(page).getByRole('radio', { name: 'Paper' })).toBeChecked();
});

test('Text size changes the root font size, and is kept after a reload', async ({ page, server }) => {
	await start(page, server);
	const rootSize = () => page.evaluate(() => getComputedStyle(document.documentElement).fontSize);
	expect(await rootSize()).toBe('15px');
	await openSettings(page);
	await settingsDialog(page).getByRole('combobox', { name: 'Text size' }).selectOption('20');
	await expect.poll(rootSize).toBe('20px');
	await page.reload();
	await expect(page.getByRole('textbox', { name: 'Message' })).toBeVisible();
	expect(await rootSize()).toBe('20px');
	await openSettings(page);
	await expect(settingsDialog(page).getByRole('combobox', { name: 'Text size' })).toHaveValue('20');
});

test('Reduce motion sets data-motion and stops the blinking cursor', async ({ page, server }) => {
	await start(page, server);
	const cursor = page.getByRole('link', { name: 'Phosphor, new chat' }).locator('.cursor');
	expect(await cursor.evaluate((el) => getComputedStyle(el).animationName)).not.toBe('none');
	await openSettings(page);
	await settingsDialog(page).getByRole('checkbox', { name: /Reduce motion/ }).check();
	await expect(html(page)).toHaveAttribute('data-motion', 'reduced');
	expect(await cursor.evaluate((el) => getComputedStyle(el).animationName)).toBe('none');
	await page.reload();
	await expect(html(page)).toHaveAttribute('data-motion', 'reduced');
	await openSettings(page);
	await settingsDialog(page).getByRole('checkbox', { name: /Reduce motion/ }).uncheck();
	await expect(html(page)).not.toHaveAttribute('data-motion', /./);
});

test('Usage shows spend per day and per model as bars; the range buttons and “Show as a table” work', async ({ page, server }) => {
	await start(page, server);
	await ask(page, 'Spend on echo [[sim:len=400]]');
	await newChat(page);
	await pickModel(page, 'Model', 'sonnet');
	await ask(page, 'Spend on sonnet [[sim:len=400]]');
	// The ledger settles a moment after the reply ends.
	await expect(page.getByRole('region', { name: /Cost$/ }).locator('dl.figures > div').filter({ hasText: 'Today (UTC)' }).locator('dd')).not.toHaveText(/^(—|\$0\.00)$/);

	await page.getByRole('link', { name: 'Usage' }).click();
	await expect(page).toHaveURL(/\/usage$/);
	const perDay = page.getByRole('figure', { name: 'Spend per day (UTC)' });
	const perModel = page.getByRole('figure', { name: 'Spend per model' });
	await expect(perDay.getByRole('img')).toBeVisible();
	await expect(perDay.locator('rect')).toHaveCount(30);
	await expect(perDay.locator('rect[height]:not([height="0"])')).toHaveCount(1);
	await expect(perModel.getByRole('listitem')).toHaveCount(2);
	await expect(perModel.getByRole('listitem').first()).toContainText('Sonnet-like');
	await expect(page.getByRole('region', { name: /Usage$/ })).toContainText(/Spent in the last 30 days\s*\$0\.0\d+/);

	const range = page.getByRole('group', { name: 'Range' });
	await expect(range.getByRole('button', { name: '30 days' })).toHaveAttribute('aria-pressed', 'true');
	await range.getByRole('button', { name: '7 days' }).click();
	await expect(range.getByRole('button', { name: '7 days' })).toHaveAttribute('aria-pressed', 'true');
	await expect(range.getByRole('button', { name: '30 days' })).toHaveAttribute('aria-pressed', 'false');
	await expect(perDay.locator('rect')).toHaveCount(7);
	await expect(page.getByRole('region', { name: /Usage$/ })).toContainText('Spent in the last 7 days');
	await range.getByRole('button', { name: '90 days' }).click();
	await expect(perDay.locator('rect')).toHaveCount(90);

	await perModel.getByText('Show as a table').click();
	const rows = perModel.getByRole('table').getByRole('row');
	await expect(rows).toHaveCount(3);
	await expect(rows.nth(1)).toContainText(/Sonnet-like\s*\$0\.0\d+/);
	await perDay.getByText('Show as a table').click();
	await expect(perDay.getByRole('table').getByRole('row')).toHaveCount(91);
	// The usage page keeps the grid's side panels (the tab bar on phones offers them there too).
	await expect(page.getByRole('region', { name: /Model$/ })).toBeVisible();
});
