import { ask, expect, panel, start, syncStatus, tab, test, transcript } from './helpers/grid';

// The Phosphor Grid: every panel at once on a desktop, one panel at a time behind a tab bar on a phone.

test.describe('desktop, 1440×900', () => {
	test.use({ viewport: { width: 1440, height: 900 } });

	test('all panels are on screen at once: conversations, transcript, model, cost, event log and the status line', async ({ page, server }) => {
		await start(page, server);
		await ask(page, 'Hello grid [[sim:len=40]]');
		for (const name of ['Conversations', 'Hello grid [[sim:len=40]]', 'Model', 'Cost', 'Event log']) {
			await expect(panel(page, name)).toBeInViewport({ ratio: 1 });
		}
		await expect(transcript(page)).toBeVisible();
		await expect(syncStatus(page)).toBeInViewport({ ratio: 1 });
		await expect(page.getByRole('button', { name: 'Command palette' })).toBeVisible();
		// The tab bar is for narrow screens only.
		await expect(page.getByRole('tablist', { name: 'Panels' })).toBeHidden();
		// Nothing overlaps: the transcript sits between the conversations and the side panels.
		const nav = (await panel(page, 'Conversations').boundingBox())!;
		const chat = (await panel(page, 'Hello grid [[sim:len=40]]').boundingBox())!;
		const model = (await panel(page, 'Model').boundingBox())!;
		expect(nav.x + nav.width).toBeLessThanOrEqual(chat.x);
		expect(chat.x + chat.width).toBeLessThanOrEqual(model.x);
	});
});

test.describe('phone, 390×844', () => {
	test.use({ viewport: { width: 390, height: 844 } });

	test('the Panels tab bar shows one panel at a time: Chats, Chat, Model, Cost, Log', async ({ page, server }) => {
		await start(page, server);
		await ask(page, 'On the phone [[sim:len=40]]');
		const chat = panel(page, 'On the phone [[sim:len=40]]');
		const all = { Chats: panel(page, 'Conversations'), Chat: chat, Model: panel(page, 'Model'), Cost: panel(page, 'Cost'), Log: panel(page, 'Event log') };
		await expect(tab(page, 'Chat')).toHaveAttribute('aria-selected', 'true');
		for (const [name, shown] of Object.entries(all)) {
			await tab(page, name).click();
			await expect(tab(page, name)).toHaveAttribute('aria-selected', 'true');
			await expect(shown).toBeInViewport();
			for (const [other, hidden] of Object.entries(all)) if (other !== name) await expect(hidden, `${other} hidden while ${name} shows`).toBeHidden();
		}
		// Picking a conversation in Chats goes back to the chat.
		await tab(page, 'Chats').click();
		await panel(page, 'Conversations').getByRole('link', { name: 'On the phone' }).click();
		await expect(chat).toBeVisible();
		await expect(tab(page, 'Chat')).toHaveAttribute('aria-selected', 'true');
	});

	test('on the Usage page every tab of the Panels bar shows something (tapping Usage from the Cost tab too)', async ({ page, server }) => {
		await start(page, server);
		await ask(page, 'Spend a little [[sim:len=40]]');
		await tab(page, 'Cost').click();
		await page.getByRole('link', { name: 'Usage' }).click();
		await expect(page).toHaveURL(/\/usage$/);
		await expect(panel(page, 'Usage')).toBeInViewport({ timeout: 3000 });
		for (const name of ['Model', 'Cost', 'Log']) {
			await tab(page, name).click();
			await expect(page.getByRole('region').filter({ visible: true }).first(), `something shows under ${name}`).toBeInViewport({ timeout: 3000 });
		}
	});
});

const WIDE = [
	'Wide things follow.',
	'',
	'```ts',
	'const aVeryLongVariableNameThatGoesOnAndOn = someFunctionWithAVeryLongName(argumentNumberOne, argumentNumberTwo, argumentNumberThree);',
	'```',
	'',
	'https://example.com/a/very/long/path/that/never/breaks/anywhere/0123456789012345678901234567890123456789012345678901234567890123456789',
	'',
	'| Column one | Column two | Column three | Column four | Column five | Column six | Column seven |',
	'| --- | --- | --- | --- | --- | --- | --- |',
	'| aaaaaaaaaaaaaaaa | bbbbbbbbbbbbbbbb | cccccccccccccccc | dddddddddddddddd | eeeeeeeeeeeeeeee | ffffffffffffffff | gggggggggggggggg |',
	'',
	'[[sim:echo]]'
].join('\n');

test.describe('narrow phone, 360×780', () => {
	test.use({ viewport: { width: 360, height: 780 } });

	test('a long code line, a long unbroken URL and a wide table never make the page scroll sideways', async ({ page, server }) => {
		await start(page, server);
		await ask(page, WIDE);
		const reply = page.locator('article.turn.assistant').last();
		await expect(reply.locator('.md pre')).toBeVisible();
		await expect(reply.locator('.md table')).toBeVisible();
		await expect(reply.getByRole('link', { name: /example\.com\/a\/very\/long/ })).toBeVisible();

		const widths = await page.evaluate(() => document.scrollingElement!.scrollWidth);
		expect(widths, 'the document does not scroll sideways').toBeLessThanOrEqual(360);
		await expect(transcript(page)).toBeInViewport();
	});

	test('a long code line scrolls inside its code block, not the whole transcript sideways', async ({ page, server }) => {
		await start(page, server);
		await ask(page, WIDE);
		const reply = page.locator('article.turn.assistant').last();
		await expect(reply.locator('.md pre')).toBeVisible();
		const scroller = await transcript(page).evaluate((el) => {
			const s = el.querySelector('.plain') as HTMLElement;
			const right = s.getBoundingClientRect().right;
			// What sticks out: an element wider than the transcript, or whose content overflows without a scrollbar of its own.
			const culprits = [...s.querySelectorAll<HTMLElement>('*')]
				.filter((e) => e.getBoundingClientRect().right > right + 1 || (e.scrollWidth > e.clientWidth + 1 && getComputedStyle(e).overflowX === 'visible'))
				.filter((e) => !e.parentElement?.closest('.md-table'))
				.map((e) => `${e.tagName.toLowerCase()}${e.className ? '.' + String(e.className).split(' ').join('.') : ''} (${Math.round(e.getBoundingClientRect().width)} px)`);
			return { scrollWidth: s.scrollWidth, clientWidth: s.clientWidth, culprits: [...new Set(culprits)].slice(0, 8) };
		});
		expect(scroller.scrollWidth, `the transcript does not scroll sideways; too wide: ${scroller.culprits.join(', ')}`).toBeLessThanOrEqual(scroller.clientWidth);
		for (const what of ['.md pre', '.md .md-table', '.md a']) {
			const box = (await reply.locator(what).first().boundingBox())!;
			expect(box.x + box.width, `${what} ends inside the screen`).toBeLessThanOrEqual(360);
		}
	});
});
