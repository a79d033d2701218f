import type { Page } from '@playwright/test';
import { ask, expect, messageBox, newChat, replies, seriousViolations, setTheme, start, test, THEMES } from './helpers/grid';

test.use({ viewport: { width: 1440, height: 900 } });

const REPLY = ['## Rendered reply', '', '| Item | Cost |', '| --- | ---: |', '| tea | $1.50 |', '', '```ts', 'const x = 1;', '```', '', '- [x] done', '', '[[sim:echo]]'].join('\n');

/** Every main view, in turn, with axe's serious and critical findings for each. */
async function auditAllViews(page: Page): Promise<string[]> {
	const found: string[] = [];
	const audit = async (view: string) => found.push(...(await seriousViolations(page, view)));

	await newChat(page);
	await audit('new chat');

	await page.getByRole('navigation', { name: 'Conversations' }).getByRole('link').first().click();
	await expect(replies(page).last().locator('.md table')).toBeVisible();
	await expect(replies(page).last().getByRole('button', { name: 'Copy code' })).toBeVisible();
	await audit('conversation');

	await page.getByRole('searchbox', { name: 'Search conversations' }).fill('rendered');
	await expect(page.getByRole('list', { name: 'Search results' }).locator('mark').first()).toBeVisible();
	await audit('search results');
	await page.getByRole('searchbox', { name: 'Search conversations' }).fill('');

	await page.getByRole('link', { name: 'Usage' }).click();
	await expect(page.getByRole('figure', { name: 'Spend per model' })).toBeVisible();
	await expect(page.getByRole('region', { name: /Usage$/ })).not.toContainText('…');
	await audit('usage');

	await page.getByRole('button', { name: 'Settings' }).click();
	await expect(page.getByRole('dialog', { name: 'Settings' })).toBeVisible();
	await audit('settings dialog');
	await page.keyboard.press('Escape');

	await page.keyboard.press('Control+K');
	await expect(page.getByRole('dialog', { name: 'Command palette' })).toBeVisible();
	await audit('command palette');
	await page.keyboard.press('Escape');

	await page.getByRole('button', { name: 'Sign out' }).click();
	await page.getByRole('button', { name: 'Keep data on this device' }).click();
	await expect(page.getByRole('button', { name: 'Sign in' })).toBeVisible();
	await audit('sign-in screen');
	return found;
}

for (const theme of THEMES) {
	test(`axe finds nothing serious or critical on any main view in the ${theme.label} theme`, async ({ page, server }) => {
		test.setTimeout(90_000);
		await start(page, server);
		await ask(page, REPLY);
		if (theme.id !== 'phosphor') await setTheme(page, theme.id);
		const found = await auditAllViews(page);
		await expect(page.locator('html')).toHaveAttribute('data-theme', theme.id);
		expect(found, `axe, ${theme.label} theme:\n\n${found.join('\n\n')}`).toEqual([]);
	});
}

test('text colours meet WCAG AA (4.5:1) on every panel background, in each theme', async ({ page, server }) => {
	// axe leaves colour contrast "incomplete" on the panels (their scanline overlay is a gradient), so the theme tokens are checked here.
	await start(page, server);
	const failures: string[] = [];
	for (const theme of THEMES) {
		if (theme.id !== 'phosphor') await setTheme(page, theme.id);
		failures.push(
			...(await page.evaluate((themeId) => {
				const css = getComputedStyle(document.documentElement);
				const hex = (name: string) => {
					const value = css.getPropertyValue(name).trim();
					const long = /^#[0-9a-f]{3}$/i.test(value) ? `#${[...value.slice(1)].map((c) => c + c).join('')}` : value;
					if (!/^#[0-9a-f]{6}$/i.test(long)) throw new Error(`${name} is "${value}", not #rrggbb`);
					return long;
				};
				const luminance = (color: string) => {
					const [r, g, b] = [1, 3, 5].map((i) => parseInt(color.slice(i, i + 2), 16) / 255).map((c) => (c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4)) as [number, number, number];
					return 0.2126 * r + 0.7152 * g + 0.0722 * b;
				};
				const ratio = (a: string, b: string) => {
					const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x) as [number, number];
					return (hi + 0.05) / (lo + 0.05);
				};
				const out: string[] = [];
				for (const text of ['--fg', '--muted', '--accent', '--danger', '--warn'])
					for (const bg of ['--bg', '--panel', '--panel-2']) {
						const r = ratio(hex(text), hex(bg));
						if (r < 4.5) out.push(`${themeId}: ${text} ${hex(text)} on ${bg} ${hex(bg)} is ${r.toFixed(2)}:1`);
					}
				const onAccent = ratio(hex('--accent-ink'), hex('--accent'));
				if (onAccent < 4.5) out.push(`${themeId}: --accent-ink on --accent is ${onAccent.toFixed(2)}:1`);
				return out;
			}, theme.id))
		);
	}
	expect(failures, failures.join('\n')).toEqual([]);
});

test('Tab from the top reaches New chat, the search box, the message box and Send, in that order', async ({ page, server }) => {
	await start(page, server);
	await page.reload();
	await expect(messageBox(page)).toBeVisible();
	const order: string[] = [];
	for (let i = 0; i < 40 && order.length < 4; i++) {
		await page.keyboard.press('Tab');
		const here = await page.evaluate(() => {
			const el = document.activeElement as HTMLElement;
			return el.getAttribute('aria-label') ?? (el.id === 'message' ? 'Message' : el.textContent?.trim());
		});
		if (here && ['New chat', 'Search conversations', 'Message', 'Send'].includes(here) && !order.includes(here)) order.push(here);
	}
	expect(order).toEqual(['New chat', 'Search conversations', 'Message', 'Send']);
});

test('every element Tab reaches shows a focus outline (the message box: its frame)', async ({ page, server }) => {
	await start(page, server);
	await ask(page, 'Focus check [[sim:len=40]]');
	await page.reload();
	await expect(replies(page).last()).toHaveAttribute('data-state', 'done');
	const seen: string[] = [];
	const missing: string[] = [];
	for (let i = 0; i < 80; i++) {
		await page.keyboard.press('Tab');
		const f = await page.evaluate(() => {
			const el = document.activeElement as HTMLElement;
			const style = getComputedStyle(el);
			const label = el.getAttribute('aria-label') ?? el.getAttribute('placeholder') ?? el.textContent?.trim().slice(0, 30) ?? '';
			const w = window as unknown as { tabSeen?: WeakSet<Element> };
			w.tabSeen ??= new WeakSet();
			const again = w.tabSeen.has(el);
			w.tabSeen.add(el);
			// The message box draws its focus on its frame (border and glow) instead of an outline.
			const frame = el.id === 'message' ? getComputedStyle(el.parentElement as HTMLElement) : null;
			const framed = frame !== null && frame.borderTopColor === getComputedStyle(document.documentElement).getPropertyValue('--accent').trim().replace(/^#(..)(..)(..)$/, (_, r, g, b) => `rgb(${parseInt(r, 16)}, ${parseInt(g, 16)}, ${parseInt(b, 16)})`);
			return { again, name: `${el.tagName.toLowerCase()} "${label}"`, body: el === document.body, visible: style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) > 0, framed };
		});
		if (f.body) continue;
		if (f.again) break;
		seen.push(f.name);
		if (!f.visible && !f.framed) missing.push(f.name);
	}
	if (process.env.GRID_DEBUG) console.log(seen.join("\n"));
	expect(seen.length, `Tab went round the page: ${seen.join(', ')}`).toBeGreaterThan(20);
	expect(missing, `no visible focus on: ${missing.join(', ')}`).toEqual([]);
});

test('panel headings are announced by their title alone', async ({ page, server }) => {
	await start(page, server);
	for (const name of ['Conversations', 'New chat', 'Model', 'Cost', 'Event log']) {
		await expect(page.getByRole('heading', { level: 2, name, exact: true }), `heading “${name}”`).toBeVisible({ timeout: 1000 });
		await expect(page.getByRole('region', { name, exact: true }), `region “${name}”`).toBeVisible({ timeout: 1000 });
	}
});
