import type { Page } from '@playwright/test';
import { createAdmin } from './fixtures';
import { ask, device, messageBox, eventLog, expect, modelPanel, newChat, pickModel, replies, start, synced, test } from './helpers/grid';

test.use({ viewport: { width: 1440, height: 900 } });

const modelBox = (page: Page) => page.getByRole('combobox', { name: 'Model', exact: true });
const temperature = (page: Page) => page.getByRole('slider', { name: 'Temperature' });
const maxTokens = (page: Page) => page.getByRole('spinbutton', { name: 'Max tokens' });
const systemPrompt = (page: Page) => page.getByRole('textbox', { name: 'System prompt' });
const fallbacks = (page: Page) => modelPanel(page).getByRole('list', { name: 'Fallback models' }).getByRole('listitem');

async function openConversation(page: Page, title: string) {
	await page.getByRole('navigation', { name: 'Conversations' }).getByRole('link', { name: title }).click();
	await expect(page.locator('.turn.user .user-text').first()).toHaveText(title);
}

test('the model list shows price per 1M tokens and context; typing filters it and Enter picks, and the next reply uses it', async ({ page, server }) => {
	await start(page, server);
	await ask(page, 'Which model? [[sim:len=40]]');
	await expect(replies(page).last()).toHaveAttribute('aria-label', 'Assistant, sim/echo-mini');

	await modelBox(page).click();
	const options = page.getByRole('listbox', { name: 'Model choices' }).getByRole('option');
	expect(await options.count()).toBeGreaterThanOrEqual(4);
	for (const option of await options.all()) await expect(option).toHaveText(/^sim\/\S+\s*\$[\d.]+ in · \$[\d.]+ out \/ 1M · \d+[kK] context$/);
	await modelBox(page).fill('sonnet');
	await expect(options).toHaveCount(1);
	await expect(options).toHaveText(/^sim\/sonnet-like\s*\$3\.00 in · \$15\.00 out \/ 1M · 200k context$/);
	await modelBox(page).press('Enter');
	await expect(page.getByRole('listbox', { name: 'Model choices' })).toHaveCount(0);
	await expect(modelBox(page)).toHaveValue('sim/sonnet-like');
	await expect(modelPanel(page)).toContainText('$3.00 in · $15.00 out / 1M');
	await expect(modelPanel(page)).toContainText('200k context');

	await ask(page, 'And now? [[sim:len=40]]');
	await expect(replies(page).last()).toHaveAttribute('aria-label', 'Assistant, sim/sonnet-like');
});

test('the model picked for a conversation is kept after a reload and shows on another device', async ({ page, server, browser }) => {
	await start(page, server);
	await ask(page, 'Keep my model [[sim:len=20]]');
	await pickModel(page, 'Model', 'gpt-like');
	await expect(modelBox(page)).toHaveValue('sim/gpt-like');
	await synced(page);
	await page.reload();
	await expect(modelBox(page)).toHaveValue('sim/gpt-like');

	const b = await device(browser, server.url);
	await openConversation(b.page, 'Keep my model [[sim:len=20]]');
	await expect(modelBox(b.page)).toHaveValue('sim/gpt-like');
	await b.context.close();
});

test('temperature, max tokens, system prompt and fallbacks are saved per conversation, after a reload and on another device', async ({ page, server, browser }) => {
	await start(page, server);
	await ask(page, 'Tuned chat [[sim:len=20]]');
	await expect(modelPanel(page).getByText('This conversation')).toBeVisible();

	// One step at a time, each saved before the next (quicker presses can lose steps: see the report).
	await temperature(page).focus();
	await page.keyboard.press('Home');
	await expect(modelPanel(page).locator('output')).toHaveText('0.0');
	for (const value of ['0.1', '0.2', '0.3']) {
		await page.keyboard.press('ArrowRight');
		await expect(modelPanel(page).locator('output')).toHaveText(value);
	}
	await maxTokens(page).fill('256');
	await maxTokens(page).press('Tab');
	await systemPrompt(page).fill('Answer like a ship’s log.');
	await systemPrompt(page).blur();
	await pickModel(page, 'Add fallback model', 'gpt-like');
	await expect(fallbacks(page)).toHaveText([/1\. sim\/gpt-like/]);
	await synced(page);

	const expectTuned = async (p: Page) => {
		await expect(modelPanel(p).locator('output')).toHaveText('0.3');
		await expect(temperature(p)).toHaveValue('0.3');
		await expect(maxTokens(p)).toHaveValue('256');
		await expect(systemPrompt(p)).toHaveValue('Answer like a ship’s log.');
		await expect(fallbacks(p)).toHaveText([/1\. sim\/gpt-like/]);
	};
	await page.reload();
	await expectTuned(page);

	const b = await device(browser, server.url);
	await openConversation(b.page, 'Tuned chat [[sim:len=20]]');
	await expectTuned(b.page);
	await b.context.close();

	// Per conversation: a new chat starts from the defaults.
	await newChat(page);
	await expect(modelPanel(page).getByText('The next new chat')).toBeVisible();
	await expect(modelPanel(page).locator('output')).toHaveText('default');
	await expect(maxTokens(page)).toHaveValue('');
	await expect(systemPrompt(page)).toHaveValue('');
	await expect(modelPanel(page)).toContainText('None: if the model fails before answering, the reply fails.');
});

test('Max tokens is honoured: with 5, the reply stops at 5 tokens', async ({ page, server }) => {
	await start(page, server);
	await maxTokens(page).fill('5');
	await maxTokens(page).press('Tab');
	await ask(page, 'Say a lot [[sim:len=2000]]');
	const reply = replies(page).last();
	await expect(reply.locator('dl.meta')).toContainText(/tokens\s*\d+ in · [1-5] out/);
	// The simulator's tokens are 4 characters.
	expect(Number(await reply.getAttribute('data-chars'))).toBeLessThanOrEqual(20);
	await expect(maxTokens(page)).toHaveValue('5');
});

test('the system prompt is sent with every message: the prompt grows by its tokens', async ({ page, server }) => {
	await start(page, server);
	const question = 'Same question [[sim:len=20]]';
	await ask(page, question);
	// The meta's token counts arrive with the reply's row, a moment after its text.
	const tokensIn = async () => {
		const meta = replies(page).last().locator('dl.meta');
		await expect(meta).toContainText(/\d+ in · \d+ out/);
		return Number(/(\d+) in/.exec(await meta.innerText())?.[1]);
	};
	const without = await tokensIn();

	await newChat(page);
	// 400 characters: the simulator counts 100 tokens.
	await systemPrompt(page).fill('x'.repeat(400));
	await systemPrompt(page).blur();
	await ask(page, question);
	expect(await tokensIn()).toBe(without + 100);
});

test('fallback models are honoured: when the model fails, the first fallback answers and the log says so', async ({ page, server }) => {
	await start(page, server);
	await pickModel(page, 'Add fallback model', 'gpt-like');
	await expect(fallbacks(page)).toHaveText([/1\. sim\/gpt-like/]);
	// sim/echo-mini fails all three of its tries (503); the fourth request, to the fallback, is answered.
	await ask(page, 'Fail over [[sim:fail-times=3 status=503]]');
	await expect(replies(page).last()).toHaveAttribute('aria-label', 'Assistant, sim/gpt-like');
	await expect(eventLog(page).getByRole('listitem').filter({ hasText: 'Fell back from sim/echo-mini to sim/gpt-like' })).toBeVisible();
});

test('a first message sent before the server’s default model has arrived is not refused', async ({ page, server }) => {
	// The defaults answer 2 s late, as on a fresh install whose catalog is still being fetched.
	await page.route(/\/trpc\/[^?]*models\.defaults/, async (route) => {
		await new Promise((resolve) => setTimeout(resolve, 2000));
		await route.continue();
	});
	await createAdmin(page, server, 'ada');
	await messageBox(page).fill('Straight away [[sim:len=20]]');
	await page.getByRole('button', { name: 'Send' }).click();
	await expect(page.locator('.turn.user').or(page.getByRole('alert')).first()).toBeVisible({ timeout: 5000 });
	expect(await page.getByRole('alert').allInnerTexts()).toEqual([]);
	await expect(page.locator('.turn.user .user-text')).toHaveText(['Straight away [[sim:len=20]]'], { timeout: 5000 });
	await expect(replies(page).last()).toHaveAttribute('data-state', 'done');
});
