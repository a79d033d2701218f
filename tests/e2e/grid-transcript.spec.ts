import { ask, expect, messageBox, newChat, pickModel, replies, seedConversation, send, start, test, transcript, userTurns } from './helpers/grid';

test.use({ viewport: { width: 1440, height: 900 } });

const CODE = 'const answer = compute(40, 2);\nconsole.log(`answer: ${answer}`);';
const MARKDOWN = ['## Plan for today', '', '- first item', '- second item', '', '| Item | Cost |', '| --- | ---: |', '| tea | $1.50 |', '', '```ts', CODE, '```', '', '[[sim:echo]]'].join('\n');

test('a reply’s markdown renders: heading, list, table and a highlighted code block', async ({ page, server }) => {
	await start(page, server);
	await ask(page, MARKDOWN);
	const md = replies(page).last().locator('.md');
	await expect(md.getByRole('heading', { level: 2, name: 'Plan for today' })).toBeVisible();
	await expect(md.getByRole('listitem')).toHaveText(['first item', 'second item']);
	await expect(md.getByRole('table')).toBeVisible();
	await expect(md.getByRole('columnheader')).toHaveText(['Item', 'Cost']);
	await expect(md.getByRole('cell')).toHaveText(['tea', '$1.50']);
	await expect(md.locator('pre code')).toHaveText(CODE);
	// Highlighting arrives lazily, after the first render.
	await expect(md.locator('pre code .hljs-keyword').first()).toHaveText('const');
	// The raw markdown is not shown as text.
	await expect(md).not.toContainText('## Plan');
	await expect(md).not.toContainText('```');
});

test('“Copy code” beside a code block copies exactly the code', async ({ page, server, context }) => {
	await context.grantPermissions(['clipboard-read', 'clipboard-write']);
	await start(page, server);
	await ask(page, MARKDOWN);
	const copy = replies(page).last().getByRole('button', { name: 'Copy code' });
	await expect(copy).toHaveCount(1);
	await copy.click();
	await expect(replies(page).last().getByRole('button', { name: 'Copied' })).toBeVisible();
	// The code as written between the fences (a final line break, as in the fenced block's content, is allowed).
	expect(await page.evaluate(() => navigator.clipboard.readText())).toMatch(new RegExp(`^${CODE.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\n?$`));
	// The button sits beside its block, not over the page elsewhere.
	const block = (await replies(page).last().locator('pre').boundingBox())!;
	const button = (await replies(page).last().getByRole('button', { name: /Copy code|Copied/ }).boundingBox())!;
	expect(button.y).toBeGreaterThanOrEqual(block.y - 1);
	expect(button.y + button.height).toBeLessThanOrEqual(block.y + block.height + 1);
});

test('task items show as ☐/☑, an image is only a link, and raw HTML shows as text', async ({ page, server }) => {
	await start(page, server);
	const text = ['- [ ] write tests', '- [x] read the README', '', '![a cat](https://example.com/cat.png)', '', '<b>bold?</b> <img src=x onerror=alert(1)>', '', '[[sim:echo]]'].join('\n');
	await ask(page, text);
	const md = replies(page).last().locator('.md');
	await expect(md.locator('.md-task-item')).toHaveText(['☐ write tests', '☑ read the README']);
	await expect(md.locator('input')).toHaveCount(0);
	const image = md.getByRole('link', { name: /a cat/ });
	await expect(image).toHaveAttribute('href', 'https://example.com/cat.png');
	await expect(transcript(page).locator('img')).toHaveCount(0);
	await expect(md).toContainText('<b>bold?</b> <img src=x onerror=alert(1)>');
	await expect(md.locator('b')).toHaveCount(0);
});

test('after a reply its meta shows tokens in and out, cost, time to first token and total time', async ({ page, server }) => {
	await start(page, server);
	await ask(page, 'Twelve chars [[sim:len=400]]');
	const meta = replies(page).last().locator('dl.meta');
	// The simulator counts one token per 4 characters: 400 characters are 100 tokens out.
	await expect(meta.locator('div').filter({ hasText: 'tokens' }).locator('dd')).toHaveText(/^\d+ in · 100 out$/);
	await expect(meta.locator('div').filter({ hasText: 'cost' }).locator('dd')).toHaveText(/^(≈ )?\$0\.0\d+/);
	await expect(meta.locator('div').filter({ hasText: 'first token' }).locator('dd')).toHaveText(/^\d+(\.\d)? s$/);
	await expect(meta.locator('div').filter({ hasText: 'total' }).locator('dd')).toHaveText(/^\d+(\.\d)? s$/);
});

test('Copy on a reply puts its text on the clipboard', async ({ page, server, context }) => {
	await context.grantPermissions(['clipboard-read', 'clipboard-write']);
	await start(page, server);
	await ask(page, 'Copy me please [[sim:echo]]');
	await replies(page).last().getByRole('button', { name: 'Copy', exact: true }).click();
	await expect(replies(page).last().getByRole('button', { name: 'Copied', exact: true })).toBeVisible();
	expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(await replies(page).last().locator('.md').innerText());
	expect(await page.evaluate(() => navigator.clipboard.readText())).toBe('Copy me please');
});

test('editing a message makes a second version; the versions switch branches and survive a reload', async ({ page, server }) => {
	await start(page, server);
	await ask(page, 'Original question [[sim:echo]]');
	await userTurns(page).first().getByRole('button', { name: 'Edit' }).click();
	await page.getByRole('textbox', { name: 'Edit message' }).fill('Edited question [[sim:echo]]');
	await page.getByRole('button', { name: 'Save and send' }).click();

	const first = userTurns(page).first();
	await expect(first.locator('.user-text')).toHaveText('Edited question [[sim:echo]]');
	await expect(first.getByRole('group', { name: 'Versions' })).toContainText('2/2');
	await expect(replies(page).last()).toHaveAttribute('data-state', 'done', { timeout: 20_000 });
	await expect(replies(page).last()).toContainText('Edited question');

	await first.getByRole('button', { name: 'Previous version' }).click();
	await expect(first.getByRole('group', { name: 'Versions' })).toContainText('1/2');
	await expect(first.locator('.user-text')).toHaveText('Original question [[sim:echo]]');
	await expect(replies(page)).toHaveCount(1);
	await expect(replies(page).last()).toContainText('Original question');
	await expect(first.getByRole('button', { name: 'Previous version' })).toBeDisabled();

	await page.reload();
	await expect(userTurns(page).first().locator('.user-text')).toHaveText('Original question [[sim:echo]]');
	await expect(userTurns(page).first().getByRole('group', { name: 'Versions' })).toContainText('1/2');
	await userTurns(page).first().getByRole('button', { name: 'Next version' }).click();
	await expect(userTurns(page).first().locator('.user-text')).toHaveText('Edited question [[sim:echo]]');
	await expect(replies(page).last()).toContainText('Edited question');
});

test('Regenerate makes a sibling reply (2/2), here from another model; the first stays as 1/2', async ({ page, server }) => {
	await start(page, server);
	await ask(page, 'Regenerate this [[sim:len=120]]');
	const firstText = await replies(page).last().locator('.md').innerText();
	await pickModel(page, 'Model', 'gpt-like');
	await expect(page.getByRole('combobox', { name: 'Model', exact: true })).toHaveValue('sim/gpt-like');
	await replies(page).last().getByRole('button', { name: 'Regenerate' }).click();

	const reply = replies(page).last();
	await expect(reply.getByRole('group', { name: 'Versions' })).toContainText('2/2');
	await expect(reply).toHaveAttribute('data-state', 'done', { timeout: 20_000 });
	await expect(reply).toHaveAttribute('aria-label', 'Assistant, sim/gpt-like');
	await expect(reply.locator('.md')).not.toHaveText(firstText);

	await reply.getByRole('button', { name: 'Previous version' }).click();
	await expect(replies(page).last().getByRole('group', { name: 'Versions' })).toContainText('1/2');
	await expect(replies(page).last()).toHaveAttribute('aria-label', 'Assistant, sim/echo-mini');
	await expect(replies(page).last().locator('.md')).toHaveText(firstText);
	await expect(userTurns(page)).toHaveCount(1);
});

test('a failed reply shows the provider’s reason, and Retry answers', async ({ page, server }) => {
	await start(page, server);
	// The server tries a model 3 times (2 retries) before giving up; the fourth request, Retry's, is answered.
	await ask(page, 'Flaky upstream [[sim:fail-times=3 status=503]]', 'failed');
	const failed = replies(page).last();
	await expect(failed.getByRole('alert')).toContainText('503');
	await expect(failed.getByRole('button', { name: 'Regenerate' })).toHaveCount(0);
	await failed.getByRole('button', { name: 'Retry' }).click();

	const retried = replies(page).last();
	await expect(retried.getByRole('group', { name: 'Versions' })).toContainText('2/2');
	await expect(retried).toHaveAttribute('data-state', 'done', { timeout: 20_000 });
	await expect(retried.getByRole('alert')).toHaveCount(0);
	expect(Number(await retried.getAttribute('data-chars'))).toBeGreaterThan(100);
});

test('a failure reason reads as one sentence (no doubled full stop)', async ({ page, server }) => {
	await start(page, server);
	await ask(page, 'Broken upstream [[sim:status=503]]', 'failed');
	const reason = replies(page).last().getByRole('alert');
	await expect(reason).toContainText('the provider answered 503');
	expect(await reason.innerText()).not.toMatch(/\.\.$/);
});

test('Stop ends a reply being written and keeps its partial text, also after a reload', async ({ page, server }) => {
	await start(page, server);
	await send(page, 'Long story [[sim:len=4000 trickle=15]]');
	const reply = replies(page).last();
	await expect(reply).toHaveAttribute('data-state', 'streaming');
	await expect.poll(async () => Number(await reply.getAttribute('data-chars'))).toBeGreaterThan(20);
	await page.getByRole('button', { name: 'Stop' }).click();
	await expect(reply).toHaveAttribute('data-state', 'cancelled');
	await expect(reply).toContainText('Stopped');
	await expect(page.getByRole('button', { name: 'Stop' })).toHaveCount(0);
	// The stored partial text replaces the streamed copy a moment after the stop (it blinks shorter first: see the report).
	await expect.poll(async () => Number(await reply.getAttribute('data-chars'))).toBeGreaterThan(20);
	await expect(reply.locator('.md')).not.toHaveText('');
	const kept = Number(await reply.getAttribute('data-chars'));
	expect(kept).toBeLessThan(4000);

	await page.reload();
	await expect(replies(page).last()).toHaveAttribute('data-state', 'cancelled');
	expect(Number(await replies(page).last().getAttribute('data-chars'))).toBeGreaterThanOrEqual(kept);
	expect(Number(await replies(page).last().getAttribute('data-chars'))).toBeLessThan(4000);
});

test('Delete on a message removes it and the replies below it, on this device and after a reload', async ({ page, server }) => {
	await start(page, server);
	await ask(page, 'Keep this [[sim:len=30]]');
	await ask(page, 'Remove this [[sim:len=30]]');
	await ask(page, 'And this follow-up [[sim:len=30]]');
	await expect(page.locator('article.turn')).toHaveCount(6);
	let asked = '';
	page.once('dialog', (dialog) => {
		asked = dialog.message();
		void dialog.accept();
	});
	await userTurns(page).nth(1).getByRole('button', { name: 'Delete' }).click();
	await expect(page.locator('article.turn')).toHaveCount(2);
	expect(asked).toContain('this message and the replies below it');
	await expect(page.locator('.turn.user .user-text')).toHaveText(['Keep this [[sim:len=30]]']);
	await page.reload();
	await expect(page.locator('article.turn')).toHaveCount(2);
	// The composer answers below what is left.
	await expect(messageBox(page)).toBeVisible();
});

test('a long conversation (150 messages) is virtualized and still scrolls from the start to the end', async ({ page, server }) => {
	await start(page, server);
	const seeded = await seedConversation(page, { title: 'Very long chat', count: 150 });
	await page.getByRole('navigation', { name: 'Conversations' }).getByRole('link', { name: 'Very long chat' }).click();
	const last = page.locator(`#m-${seeded.messageIds[149]}`);
	await expect(last).toBeInViewport();
	await expect(last).toContainText('Answer 150');
	const rendered = await page.locator('article.turn').count();
	expect(rendered).toBeGreaterThan(0);
	expect(rendered).toBeLessThan(60);

	// Scrolled all the way up: the first message; and back down with the wheel: the last again.
	const scroller = transcript(page).locator('> div').first();
	const first = page.locator(`#m-${seeded.messageIds[0]}`);
	await expect(async () => {
		await scroller.evaluate((el) => el.scrollTo(0, 0));
		await expect(first).toBeInViewport({ timeout: 300 });
	}).toPass({ timeout: 10_000 });
	await expect(first).toContainText('Question 1');
	expect(await page.locator('article.turn').count()).toBeLessThan(60);
	await scroller.hover();
	await expect(async () => {
		await page.mouse.wheel(0, 20_000);
		await expect(last).toBeInViewport({ timeout: 300 });
	}).toPass({ timeout: 10_000 });
});

/** How far the transcript is from its end, in pixels. */
const gapToEnd = (page: import('@playwright/test').Page) =>
	transcript(page)
		.locator('.plain')
		.evaluate((el) => Math.round(el.scrollHeight - el.scrollTop - el.clientHeight));

test('the transcript shows the end of the conversation: after a long reply, when opened from the list, after a reload', async ({ page, server }) => {
	await start(page, server);
	await ask(page, 'One [[sim:len=1500]]');
	await ask(page, 'Two [[sim:len=1500]]');
	const gaps: Record<string, number> = {};
	const settle = async (when: string) => {
		await expect(replies(page).last().getByRole('button', { name: 'Regenerate' })).toBeVisible();
		await page.waitForTimeout(500);
		gaps[when] = await gapToEnd(page);
	};
	await settle('after the reply');
	await newChat(page);
	await page.getByRole('navigation', { name: 'Conversations' }).getByRole('link', { name: 'One' }).click();
	await settle('opened from the list');
	await page.reload();
	await settle('after a reload');
	expect(gaps, 'pixels between what shows and the end of the transcript').toEqual({ 'after the reply': 0, 'opened from the list': 0, 'after a reload': 0 });
});
