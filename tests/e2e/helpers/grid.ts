import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import AxeBuilder from '@axe-core/playwright';
import type { Browser, BrowserContext, Locator, Page } from '@playwright/test';
import { createAdmin, expect, test, type TestServer } from '../fixtures';

export { expect, test, type TestServer };

export const PASSWORD = 'a long enough password';

/** Where the screenshot specs write their PNGs (git-ignored: .tmp/). */
export const SCREENSHOT_DIR = resolve(import.meta.dirname, '..', '..', '..', '.tmp', 'screenshots', 'grid');
export function screenshotPath(name: string): string {
	mkdirSync(SCREENSHOT_DIR, { recursive: true });
	return resolve(SCREENSHOT_DIR, `${name}.png`);
}

export const THEMES = [
	{ id: 'phosphor', label: 'Phosphor green' },
	{ id: 'amber', label: 'Amber' },
	{ id: 'paper', label: 'Paper' }
] as const;
export type ThemeId = (typeof THEMES)[number]['id'];

export const messageBox = (page: Page) => page.getByRole('textbox', { name: 'Message' });
export const replies = (page: Page) => page.locator('article.turn.assistant');
export const userTurns = (page: Page) => page.locator('article.turn.user');
export const conversations = (page: Page) => page.getByRole('navigation', { name: 'Conversations' }).getByRole('listitem');
export const syncStatus = (page: Page) => page.getByRole('status', { name: 'Sync status' });
/**
 * A panel of the grid by its title. The title's decorative "▌" (CSS generated content) is part of
 * its accessible name today, hence the pattern rather than an exact name.
 */
export const panel = (page: Page, name: string) => page.getByRole('region', { name: new RegExp(`^\\W?${name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`) });
export const eventLog = (page: Page) => panel(page, 'Event log');
export const costPanel = (page: Page) => panel(page, 'Cost');
export const modelPanel = (page: Page) => panel(page, 'Model');
export const transcript = (page: Page) => page.getByRole('log', { name: 'Transcript' });

/**
 * First-run setup as `ada` (the admin), ending on the empty new chat once the server's default
 * model is known (a message sent before that fails: see grid-model.spec.ts).
 */
export async function start(page: Page, server: TestServer, username = 'ada'): Promise<void> {
	await createAdmin(page, server, username, PASSWORD);
	await expect(messageBox(page)).toBeVisible();
	await expect(page.getByRole('region', { name: /New chat$/ })).toContainText('It goes to sim/echo-mini');
}

export async function signIn(page: Page, username: string, password = PASSWORD): Promise<void> {
	await page.getByLabel('Username').fill(username);
	await page.getByLabel('Password').fill(password);
	await page.getByRole('button', { name: 'Sign in' }).click();
	await expect(messageBox(page)).toBeVisible();
}

/** Another device of the same user: its own browser context (own IndexedDB, own cookies). Close it at the end. */
export async function device(browser: Browser, url: string, username = 'ada', password = PASSWORD): Promise<{ context: BrowserContext; page: Page }> {
	const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
	const page = await context.newPage();
	await page.goto(url);
	await signIn(page, username, password);
	return { context, page };
}

export async function send(page: Page, text: string): Promise<void> {
	await messageBox(page).fill(text);
	await page.getByRole('button', { name: 'Send' }).click();
}

/** Sends and waits for this message's own reply to end (done, unless `state` says otherwise). */
export async function ask(page: Page, text: string, state: 'done' | 'failed' = 'done'): Promise<void> {
	const before = await userTurns(page).count();
	await send(page, text);
	await expect(userTurns(page)).toHaveCount(before + 1);
	await expect(page.locator('.turn.user .user-text').last()).toHaveText(text);
	await expect(replies(page).last()).toHaveAttribute('data-state', state, { timeout: 20_000 });
}

/** Opens a new chat and waits until its empty composer is the one on screen. */
export async function newChat(page: Page): Promise<void> {
	// On a phone the button is in the Chats tab.
	if (await tab(page, 'Chats').isVisible()) await tab(page, 'Chats').click();
	await page.getByRole('button', { name: 'New chat' }).click();
	await expect(page.getByRole('region', { name: 'New chat' })).toBeVisible();
}

/** Waits until every change of this device reached the server. */
export async function synced(page: Page): Promise<void> {
	await expect(syncStatus(page)).toContainText('All changes synced', { timeout: 20_000 });
}

/** Picks a model in a model combobox by typing part of its id and pressing Enter. */
export async function pickModel(page: Page, label: string, text: string): Promise<void> {
	const box = page.getByRole('combobox', { name: label, exact: true });
	await box.click();
	await box.fill(text);
	await expect(page.getByRole('listbox', { name: `${label} choices` }).getByRole('option').first()).toContainText(text);
	await box.press('Enter');
}

/** Switches theme through the command palette (what a keyboard user does). */
export async function setTheme(page: Page, theme: ThemeId): Promise<void> {
	const label = THEMES.find((t) => t.id === theme)?.label ?? theme;
	await page.keyboard.press('Control+K');
	const command = page.getByRole('combobox', { name: 'Command' });
	await command.fill(`Theme: ${label}`);
	await command.press('Enter');
	await expect(page.locator('html')).toHaveAttribute('data-theme', theme);
	await expect(page.getByRole('dialog')).toHaveCount(0);
}

/** A mobile tab of the "Panels" tab bar (below 1200 px). */
export const tab = (page: Page, name: string) => page.getByRole('tablist', { name: 'Panels' }).getByRole('tab', { name, exact: true });

/**
 * Seeds a conversation of `count` finished messages (user and assistant alternating) through
 * sync.push with the page's session, as an import would: fast, and real rows on the server.
 * Returns the conversation id and the message ids in order.
 */
export async function seedConversation(page: Page, input: { title: string; count: number; text?: (i: number) => string }): Promise<{ id: string; messageIds: string[] }> {
	const text = input.text ?? ((i: number) => (i % 2 === 0 ? `Question ${i + 1}` : `Answer ${i + 1}: short.`));
	const seed = `seed${Date.now().toString(36)}${Math.random().toString(36).slice(2, 8)}`;
	const id = `${seed}-c`;
	const now = Date.now() - input.count * 1000;
	const messages = Array.from({ length: input.count }, (_, i) => ({
		id: `${seed}-m${i}`,
		parentId: i === 0 ? null : `${seed}-m${i - 1}`,
		role: i % 2 === 0 ? 'user' : 'assistant',
		content: text(i),
		model: i % 2 === 0 ? null : 'sim/echo-mini',
		createdAt: now + i * 1000
	}));
	const mutations: Array<{ id: number; name: string; args: unknown }> = [
		{ id: 1, name: 'conversation.import', args: { id, title: input.title, model: 'sim/echo-mini', createdAt: now, updatedAt: now + input.count * 1000 } }
	];
	for (let i = 0; i < messages.length; i += 50) mutations.push({ id: mutations.length + 1, name: 'message.import', args: { conversationId: id, messages: messages.slice(i, i + 50) } });
	const result = await page.evaluate(
		async ({ clientId, mutations }) => {
			const res = await fetch('/trpc/sync.push', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ clientId, mutations }) });
			return { status: res.status, body: await res.text() };
		},
		{ clientId: `${seed}-client`, mutations }
	);
	expect(result.status, result.body).toBe(200);
	expect(result.body).not.toContain('"reason"');
	return { id, messageIds: messages.map((m) => m.id) };
}

/** Serious and critical axe violations of what is on screen now, printed readably. */
export async function seriousViolations(page: Page, view: string): Promise<string[]> {
	const results = await new AxeBuilder({ page }).analyze();
	return results.violations
		.filter((v) => v.impact === 'serious' || v.impact === 'critical')
		.map((v) => {
			const nodes = v.nodes
				.slice(0, 6)
				.map((n) => `      - ${n.target.join(' ')}\n        ${(n.failureSummary ?? '').replace(/\s*\n\s*/g, ' | ')}`)
				.join('\n');
			const more = v.nodes.length > 6 ? `\n      … and ${v.nodes.length - 6} more` : '';
			return `[${view}] ${v.impact} ${v.id}: ${v.help} (${v.nodes.length} node${v.nodes.length === 1 ? '' : 's'})\n${nodes}${more}`;
		});
}

/** The computed outline of the focused element, and what it is. */
export async function focusedOutline(page: Page): Promise<{ name: string; outlineStyle: string; outlineWidth: string; boxShadow: string }> {
	return page.evaluate(() => {
		const el = document.activeElement as HTMLElement | null;
		if (!el) return { name: '(none)', outlineStyle: 'none', outlineWidth: '0px', boxShadow: 'none' };
		const style = getComputedStyle(el);
		const name = el.getAttribute('aria-label') ?? el.textContent?.trim().slice(0, 40) ?? '';
		return { name: `${el.tagName.toLowerCase()} "${name}"`, outlineStyle: style.outlineStyle, outlineWidth: style.outlineWidth, boxShadow: style.boxShadow };
	});
}

/** Presses Tab until `target` has focus (at most `limit` presses); returns how many it took. */
export async function tabTo(page: Page, target: Locator, limit = 60): Promise<number> {
	for (let i = 1; i <= limit; i++) {
		await page.keyboard.press('Tab');
		if (await target.evaluate((el) => el === document.activeElement)) return i;
	}
	throw new Error(`Tab never reached ${target.toString()} in ${limit} presses`);
}
