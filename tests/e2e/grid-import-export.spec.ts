import { readFile } from 'node:fs/promises';
import type { Page } from '@playwright/test';
import { runAdmin } from '../helpers/admin-cli';
import { CHATGPT_FIRST_ANSWER, CHATGPT_QUESTION, CHATGPT_SECOND_ANSWER, CHATGPT_TITLE, chatGptExport } from './helpers/chatgpt-export';
import { ask, conversations, expect, newChat, PASSWORD, replies, signIn, start, synced, test, userTurns } from './helpers/grid';

test.use({ viewport: { width: 1440, height: 900 } });

const importDialog = (page: Page) => page.getByRole('dialog', { name: 'Import conversations' });

async function openImport(page: Page) {
	await page.getByRole('button', { name: 'Settings' }).click();
	await page.getByRole('dialog', { name: 'Settings' }).getByRole('button', { name: 'Import conversations…' }).click();
	await expect(importDialog(page)).toBeVisible();
}

async function chooseFile(page: Page, name: string, text: string) {
	await importDialog(page).getByLabel('File to import').setInputFiles({ name, mimeType: 'application/json', buffer: Buffer.from(text) });
}

/** Waits for the import to end, and fails at once with the dialog's error if it shows one. */
async function expectImported(page: Page, text: string) {
	const done = importDialog(page).getByRole('status').filter({ hasText: 'Imported' });
	const error = importDialog(page).getByRole('alert');
	await expect(done.or(error)).toBeVisible({ timeout: 15_000 });
	if (await error.isVisible()) throw new Error(`Import failed: ${await error.innerText()}`);
	await expect(done).toContainText(text);
}

/** Exports everything from the Settings dialog; returns the file's name and text. */
async function exportAll(page: Page): Promise<{ name: string; text: string }> {
	await page.getByRole('button', { name: 'Settings' }).click();
	const downloading = page.waitForEvent('download');
	await page.getByRole('dialog', { name: 'Settings' }).getByRole('button', { name: 'Export everything as JSON' }).click();
	const download = await downloading;
	await page.keyboard.press('Escape');
	return { name: download.suggestedFilename(), text: await readFile(await download.path(), 'utf8') };
}

test('“Export as Markdown” downloads the branch on screen as a .md file', async ({ page, server }) => {
	await start(page, server);
	await ask(page, 'Markdown export, first question [[sim:echo]]');
	await ask(page, 'Original follow-up [[sim:echo]]');
	await userTurns(page).nth(1).getByRole('button', { name: 'Edit' }).click();
	await page.getByRole('textbox', { name: 'Edit message' }).fill('Edited follow-up [[sim:echo]]');
	await page.getByRole('button', { name: 'Save and send' }).click();
	await expect(replies(page).last()).toContainText('Edited follow-up');
	await expect(replies(page).last()).toHaveAttribute('data-state', 'done');

	const downloading = page.waitForEvent('download');
	await page.getByRole('button', { name: 'Export as Markdown' }).click();
	const download = await downloading;
	expect(download.suggestedFilename()).toMatch(/\.md$/);
	const text = await readFile(await download.path(), 'utf8');
	expect(text).toMatch(/^# Markdown export, first question/);
	expect(text).toContain('## You\n\nMarkdown export, first question [[sim:echo]]');
	expect(text).toContain('## Assistant (sim/echo-mini)\n\nMarkdown export, first question');
	expect(text).toContain('Edited follow-up [[sim:echo]]');
	// Only the branch on screen: the first version of the follow-up is not in it.
	expect(text).not.toContain('Original follow-up');
	expect(text.match(/^## /gm)).toHaveLength(4);
});

test('“Export everything as JSON” downloads every conversation in the phosphor-export format', async ({ page, server }) => {
	await start(page, server);
	await ask(page, 'Exported one [[sim:len=30]]');
	await newChat(page);
	await ask(page, 'Exported two [[sim:len=30]]');
	const file = await exportAll(page);
	expect(file.name).toMatch(/\.json$/);
	const json = JSON.parse(file.text) as { format: string; version: number; conversations: Array<{ title: string; messages: unknown[] }> };
	expect(json.format).toBe('phosphor-export');
	expect(json.conversations.map((c) => c.title).sort()).toEqual(['Exported one [[sim:len=30]]', 'Exported two [[sim:len=30]]']);
	for (const c of json.conversations) expect(c.messages).toHaveLength(2);
});

test('importing a ChatGPT conversations.json shows a summary, then creates the conversation with both versions of the reply', async ({ page, server }) => {
	await start(page, server);
	await synced(page);
	await openImport(page);
	await chooseFile(page, 'conversations.json', chatGptExport());
	const summary = importDialog(page).getByRole('status').filter({ hasText: 'from ChatGPT' });
	await expect(summary).toContainText('1 conversation with 3 messages from ChatGPT.');
	await summary.getByRole('button', { name: 'Import' }).click();
	await expectImported(page, 'Imported 1 conversation with 3 messages.');
	await importDialog(page).getByRole('button', { name: 'Close' }).last().click();
	await expect(importDialog(page)).toBeHidden();

	await conversations(page).getByRole('link', { name: CHATGPT_TITLE }).click();
	await expect(page.locator('.turn.user .user-text')).toHaveText([CHATGPT_QUESTION]);
	const reply = replies(page).last();
	await expect(reply.getByRole('group', { name: 'Versions' })).toContainText('2/2');
	await expect(reply).toContainText('items.sort()');
	await reply.getByRole('button', { name: 'Previous version' }).click();
	await expect(replies(page).last().getByRole('group', { name: 'Versions' })).toContainText('1/2');
	await expect(replies(page).last()).toContainText('sorted(items)');
	expect(CHATGPT_FIRST_ANSWER).toContain('sorted(items)');
	expect(CHATGPT_SECOND_ANSWER).toContain('items.sort()');
});

test('importing the same file again creates nothing: the summary says it is skipped', async ({ page, server }) => {
	await start(page, server);
	await synced(page);
	await openImport(page);
	await chooseFile(page, 'conversations.json', chatGptExport());
	await importDialog(page).getByRole('button', { name: 'Import', exact: true }).click();
	await expectImported(page, 'Imported 1 conversation');
	await synced(page);

	await chooseFile(page, 'conversations-again.json', chatGptExport());
	const summary = importDialog(page).getByRole('status').filter({ hasText: 'from ChatGPT' });
	await expect(summary).toContainText('0 conversations');
	await expect(summary).toContainText('1 already here (imported before, or deleted) will be skipped.');
	await expect(summary.getByRole('button', { name: 'Import' })).toBeDisabled();
	await page.keyboard.press('Escape');
	await expect(conversations(page)).toHaveCount(1);
});

test('importing your own export again offers nothing new: the summary says every conversation is skipped', async ({ page, server }) => {
	await start(page, server);
	await ask(page, 'Already here [[sim:len=30]]');
	await synced(page);
	const file = await exportAll(page);
	await openImport(page);
	await chooseFile(page, file.name, file.text);
	const summary = importDialog(page).getByRole('status').filter({ hasText: 'from Phosphor' });
	await expect(summary).toContainText('0 conversations with 0 messages from Phosphor.');
	await expect(summary).toContainText('1 already here (imported before, or deleted) will be skipped.');
	await expect(summary.getByRole('button', { name: 'Import' })).toBeDisabled();
	await page.keyboard.press('Escape');
	await expect(conversations(page)).toHaveCount(1);
});

test('the JSON export of one user imported by another creates the conversations for them', async ({ page, server }) => {
	await start(page, server);
	await ask(page, 'Ada’s recipe [[sim:len=40]]');
	await newChat(page);
	await ask(page, 'Ada’s trip [[sim:len=40]]');
	const file = await exportAll(page);
	const added = await runAdmin(server.databasePath, ['user', 'add', 'bob', '--password-stdin'], `${PASSWORD}\n`);
	expect(added.status, added.stderr).toBe(0);

	await page.getByRole('button', { name: 'Sign out' }).click();
	await page.getByRole('button', { name: 'Keep data on this device' }).click();
	await signIn(page, 'bob');
	await expect(page.getByText('No conversations yet.')).toBeVisible();
	await synced(page);
	await openImport(page);
	await chooseFile(page, file.name, file.text);
	const summary = importDialog(page).getByRole('status').filter({ hasText: 'from Phosphor' });
	await expect(summary).toContainText('2 conversations with 4 messages from Phosphor.');
	await summary.getByRole('button', { name: 'Import' }).click();
	await expectImported(page, 'Imported 2 conversations with 4 messages.');
	await page.keyboard.press('Escape');
	await expect(conversations(page).getByRole('link')).toHaveText(['Ada’s trip [[sim:len=40]]', 'Ada’s recipe [[sim:len=40]]']);
	await conversations(page).getByRole('link', { name: 'Ada’s recipe' }).click();
	await expect(page.locator('article.turn')).toHaveCount(2);
	await synced(page);
});
