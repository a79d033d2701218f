import type { Page } from '@playwright/test';
import { runAdmin } from '../helpers/admin-cli';
import { ask, costPanel, eventLog, expect, pickModel, send, start, syncStatus, test, type TestServer } from './helpers/grid';

test.use({ viewport: { width: 1440, height: 900 } });

const figure = (page: Page, name: string) => costPanel(page).locator('dl.figures > div').filter({ has: page.getByText(name, { exact: true }) }).locator('dd');
const meter = (page: Page) => costPanel(page).getByRole('meter');
const logEntries = (page: Page) => eventLog(page).getByRole('listitem');

async function budget(server: TestServer, limitUsd: string) {
	const set = await runAdmin(server.databasePath, ['budget', 'set', 'ada', '--limit-usd', limitUsd, '--period', 'day']);
	expect(set.status, set.stderr).toBe(0);
}

/** The next new chat on sim/sonnet-like ($15 per 1M out) capped at 600 tokens, so its worst case fits a one-cent budget. */
async function pricyButCapped(page: Page) {
	await pickModel(page, 'Model', 'sonnet');
	const maxTokens = page.getByRole('spinbutton', { name: 'Max tokens' });
	await maxTokens.fill('600');
	await maxTokens.press('Tab');
}

test('after a reply the Cost panel shows what this reply, this conversation and today cost', async ({ page, server }) => {
	await start(page, server);
	await expect(figure(page, 'This reply')).toHaveText('—');
	await ask(page, 'What does it cost? [[sim:len=400]]');
	await expect(figure(page, 'This reply')).toHaveText(/^(≈ )?\$0\.0\d+/);
	const first = (await figure(page, 'This reply').innerText()).replace('≈ ', '');
	await expect(figure(page, 'This conversation')).toHaveText(/\$0\.0\d+/);
	await expect(figure(page, 'Today (UTC)')).toHaveText(/^\$0\.0\d+/);
	await ask(page, 'And again? [[sim:len=400]]');
	// Two replies: the conversation costs more than its last reply.
	await expect(figure(page, 'This conversation')).not.toHaveText(first);
	await expect(costPanel(page)).toContainText('Ledger figures as of');
});

test('with a budget, the Cost panel shows a meter of how much of it is spent', async ({ page, server }) => {
	await start(page, server);
	await budget(server, '0.01');
	await pricyButCapped(page);
	// 2000 characters are 500 tokens: $0.0075 of $0.01.
	await ask(page, 'Spend some [[sim:len=2000]]');
	await expect(meter(page)).toHaveAccessibleName('Budget used this day');
	await expect(meter(page)).toHaveAttribute('aria-valuenow', '75');
	await expect(meter(page)).toHaveAttribute('aria-valuetext', '75% of the budget');
	await expect(costPanel(page)).toContainText(/Spent this day\s*\$0\.0075\d* of \$0\.01/);
});

test('crossing 80% of the budget is an alert in the Event log, and the meter turns to warning', async ({ page, server }) => {
	await start(page, server);
	await budget(server, '0.01');
	await pricyButCapped(page);
	// 2200 characters are 550 tokens: $0.00825 plus the prompt, past 80% of $0.01.
	await ask(page, 'Spend more [[sim:len=2200]]');
	const alert = logEntries(page).filter({ hasText: /Budget: your spend reached 80% of the \w+ limit\./ });
	await expect(alert).toHaveCount(1);
	await expect(alert).toHaveAttribute('data-level', 'warn');
	await expect(costPanel(page).locator('.budget')).toHaveAttribute('data-level', 'high');
	await expect(meter(page)).toHaveAttribute('aria-valuenow', /^(8\d|9\d)$/);
});

test('the budget alert names the period in plain English (“daily limit”)', async ({ page, server }) => {
	await start(page, server);
	await budget(server, '0.01');
	await pricyButCapped(page);
	await ask(page, 'Spend more [[sim:len=2200]]');
	await expect(logEntries(page).filter({ hasText: /reached 80%/ })).toHaveCount(1);
	await expect(logEntries(page).filter({ hasText: /reached 80%/ })).toContainText('Budget: your spend reached 80% of the daily limit.', { timeout: 2000 });
});

test('a reply refused by the budget fails with the reason, and the Event log says so', async ({ page, server }) => {
	await start(page, server);
	await budget(server, '0.01');
	// sim/sonnet-like without a cap may write 64k tokens: its worst case is far over one cent.
	await pickModel(page, 'Model', 'sonnet');
	await ask(page, 'Too dear [[sim:len=20]]', 'failed');
	await expect(page.locator('article.turn.assistant').last().getByRole('alert')).toContainText('Budget exceeded');
	await expect(logEntries(page).filter({ hasText: /Reply failed: .*Budget exceeded/ })).toHaveCount(1);
	await expect(logEntries(page).filter({ hasText: 'Reply failed' })).toHaveAttribute('data-level', 'error');
});

test('a failed reply appears in the Event log with the provider’s reason', async ({ page, server }) => {
	await start(page, server);
	await expect(eventLog(page)).toContainText('Nothing yet');
	await ask(page, 'Broken upstream [[sim:status=503]]', 'failed');
	await expect(logEntries(page).filter({ hasText: /Reply failed: sim\/echo-mini: the provider answered 503/ })).toHaveCount(1);
	// Its retries are logged too, before it.
	await expect(logEntries(page).filter({ hasText: /^.*RETRY.*Retrying sim\/echo-mini/i }).first()).toBeVisible();
	await eventLog(page).getByRole('button', { name: 'Clear' }).click();
	await expect(eventLog(page)).toContainText('Nothing yet');
});

test('going offline is logged in the Event log', async ({ page, server, context }) => {
	await start(page, server);
	await ask(page, 'Online [[sim:len=20]]');
	await context.setOffline(true);
	await expect(syncStatus(page)).toContainText('Offline');
	await send(page, 'Written offline [[sim:len=20]]');
	const entry = logEntries(page).filter({ hasText: 'Sync: offline; changes wait in the outbox.' });
	await expect(entry).toHaveCount(1);
	await expect(entry).toHaveAttribute('data-level', 'warn');
	await context.setOffline(false);
	await expect(syncStatus(page)).toContainText('All changes synced', { timeout: 20_000 });
});

test('coming back online is logged in the Event log', async ({ page, server, context }) => {
	await start(page, server);
	await ask(page, 'Online [[sim:len=20]]');
	await context.setOffline(true);
	await send(page, 'Written offline [[sim:len=20]]');
	await expect(logEntries(page).filter({ hasText: 'Sync: offline' })).toHaveCount(1);
	await context.setOffline(false);
	await expect(syncStatus(page)).toContainText('All changes synced', { timeout: 20_000 });
	await expect(logEntries(page).first()).toContainText('Sync: connected again, changes sent.', { timeout: 3000 });
});
