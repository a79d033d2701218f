import type { Page } from '@playwright/test';
import { ask, expect, messageBox, newChat, replies, seedConversation, send, start, test } from './helpers/grid';

test.use({ viewport: { width: 1440, height: 900 } });

const searchBox = (page: Page) => page.getByRole('searchbox', { name: 'Search conversations' });
const results = (page: Page) => page.getByRole('list', { name: 'Search results' }).getByRole('listitem');
const palette = (page: Page) => page.getByRole('dialog', { name: 'Command palette' });

const LONG = 'The spice trade shaped the coast for centuries. '.repeat(40);
const QUESTIONS = ['Spice routes, part one', 'Tell me about the harbour of Zanzibar and its spice trade', 'And part three'];

/** A conversation long enough to scroll, with "Zanzibar" in its second question, and a second one newer than it. */
async function twoConversations(page: Page) {
	await seedConversation(page, { title: QUESTIONS[0] as string, count: 6, text: (i) => (i % 2 === 0 ? (QUESTIONS[i / 2] as string) : LONG) });
	await ask(page, 'Something else entirely [[sim:len=30]]');
	await expect(page.getByRole('navigation', { name: 'Conversations' }).getByRole('listitem')).toHaveCount(2);
}

test('searching lists matching conversations with a snippet around the match, the match marked', async ({ page, server }) => {
	await start(page, server);
	await twoConversations(page);
	await searchBox(page).fill('zanzibar');
	await expect(results(page)).toHaveCount(1);
	await expect(results(page).locator('.title')).toHaveText('Spice routes, part one');
	await expect(results(page).locator('.snippet')).toContainText('harbour of Zanzibar and its spice');
	await expect(results(page).locator('mark')).toHaveText('Zanzibar');
	await searchBox(page).fill('nothing like this');
	await expect(page.getByText('No conversation matches.')).toBeVisible();
	await searchBox(page).press('Escape');
	await expect(searchBox(page)).toHaveValue('');
	await expect(page.getByRole('navigation', { name: 'Conversations' }).getByRole('listitem')).toHaveCount(2);
});

test('clicking a search result opens its conversation and marks the matching message', async ({ page, server }) => {
	await start(page, server);
	await twoConversations(page);
	await searchBox(page).fill('zanzibar');
	await results(page).getByRole('link').click();
	const hit = page.locator('article.turn.user').filter({ hasText: 'Zanzibar' });
	await expect(hit).toHaveClass(/\bhighlighted\b/);
	await expect(page).toHaveURL(/\/c\/[^#]+#m-/);
	await expect(page.locator('article.highlighted')).toHaveCount(1);
	// A second search within the open conversation brings its hit into view.
	await searchBox(page).fill('part three');
	await results(page).getByRole('link').click();
	const third = page.locator('article.turn.user').filter({ hasText: 'And part three' });
	await expect(third).toHaveClass(/\bhighlighted\b/);
	await expect(third).toBeInViewport();
	await expect(hit).not.toHaveClass(/\bhighlighted\b/);
});

test('a search result in another conversation opens scrolled to the marked message', async ({ page, server }) => {
	await start(page, server);
	await twoConversations(page);
	await searchBox(page).fill('zanzibar');
	await results(page).getByRole('link').click();
	const hit = page.locator('article.turn.user').filter({ hasText: 'Zanzibar' });
	await expect(hit).toHaveClass(/\bhighlighted\b/);
	await expect(hit).toBeInViewport({ timeout: 3000 });
});

test('the command palette (Ctrl+K) runs “New chat”', async ({ page, server }) => {
	await start(page, server);
	await ask(page, 'A conversation first [[sim:len=20]]');
	await page.keyboard.press('Control+K');
	await expect(palette(page)).toBeVisible();
	await expect(page.getByRole('combobox', { name: 'Command' })).toBeFocused();
	await page.keyboard.type('new chat');
	await expect(page.getByRole('listbox', { name: 'Commands' }).getByRole('option').first()).toContainText('New chat');
	await page.keyboard.press('Enter');
	await expect(palette(page)).toHaveCount(0);
	await expect(page.getByRole('region', { name: 'New chat' })).toBeVisible();
	await expect(page).toHaveURL(/\/$/);
});

test('Ctrl+K right after Esc opens the palette again (Esc closes it at once, so the toggle never sees it still open)', async ({ page, server }) => {
	await start(page, server);
	for (let i = 0; i < 5; i++) {
		await page.keyboard.press('Control+K');
		await expect(palette(page)).toBeVisible();
		await page.keyboard.press('Escape');
		await page.keyboard.press('Control+K');
		await expect(palette(page)).toBeVisible();
		await page.keyboard.press('Escape');
		await expect(palette(page)).toHaveCount(0);
	}
});

test('the command palette opens a conversation by its title (“Open: …”), with the arrow keys', async ({ page, server }) => {
	await start(page, server);
	await ask(page, 'Alpha topic [[sim:len=20]]');
	await newChat(page);
	await ask(page, 'Beta topic [[sim:len=20]]');
	await page.getByRole('button', { name: 'Command palette' }).click();
	await page.getByRole('combobox', { name: 'Command' }).fill('open:');
	const options = page.getByRole('listbox', { name: 'Commands' }).getByRole('option');
	await expect(options).toHaveText([/Open: Beta topic/, /Open: Alpha topic/]);
	await page.keyboard.press('ArrowDown');
	await expect(options.nth(1)).toHaveAttribute('aria-selected', 'true');
	await page.keyboard.press('Enter');
	await expect(page.locator('.turn.user .user-text')).toHaveText(['Alpha topic [[sim:len=20]]']);
});

test('“?” opens the keyboard shortcuts sheet and Escape closes it', async ({ page, server }) => {
	await start(page, server);
	await page.locator('body').click({ position: { x: 700, y: 5 } });
	await page.keyboard.press('Shift+?');
	const sheet = page.getByRole('dialog', { name: 'Keyboard shortcuts' });
	await expect(sheet).toBeVisible();
	await expect(sheet.getByRole('table', { name: 'Keyboard shortcuts' })).toBeVisible();
	for (const row of ['Ctrl+Shift+O', 'Ctrl+K', 'Shift+Enter']) await expect(sheet.getByRole('row').filter({ hasText: row }).first()).toBeVisible();
	await page.keyboard.press('Escape');
	await expect(sheet).toBeHidden();
	// Typed in the message box, "?" is just a character.
	await messageBox(page).click();
	await page.keyboard.press('Shift+?');
	await expect(messageBox(page)).toHaveValue('?');
	await expect(sheet).toBeHidden();
});

test('Ctrl+Shift+O opens a new chat with the message box focused', async ({ page, server }) => {
	await start(page, server);
	await ask(page, 'Somewhere else [[sim:len=20]]');
	await page.locator('article.turn').first().click();
	await page.keyboard.press('Control+Shift+O');
	await expect(page.getByRole('region', { name: 'New chat' })).toBeVisible();
	await expect(messageBox(page)).toBeFocused();
});

test('“/” focuses the search box', async ({ page, server }) => {
	await start(page, server);
	await page.locator('body').click({ position: { x: 700, y: 5 } });
	await page.keyboard.press('/');
	await expect(page.getByRole('searchbox', { name: 'Search conversations' })).toBeFocused();
	await expect(page.getByRole('searchbox', { name: 'Search conversations' })).toHaveValue('');
});

test('Escape in the message box stops the reply being written', async ({ page, server }) => {
	await start(page, server);
	await send(page, 'Go on and on [[sim:len=4000 trickle=15]]');
	const reply = replies(page).last();
	await expect.poll(async () => Number(await reply.getAttribute('data-chars'))).toBeGreaterThan(10);
	await messageBox(page).click();
	await page.keyboard.press('Escape');
	await expect(reply).toHaveAttribute('data-state', 'cancelled');
	await expect(page.getByRole('button', { name: 'Stop' })).toHaveCount(0);
	await expect.poll(async () => Number(await reply.getAttribute('data-chars'))).toBeGreaterThan(10);
	expect(Number(await reply.getAttribute('data-chars'))).toBeLessThan(4000);
});
