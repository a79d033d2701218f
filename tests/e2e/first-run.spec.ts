import { createAdmin, expect, test } from './fixtures';

test('first run: setup code from the log creates the admin, a reply streams in, a reload keeps the session', async ({
	page,
	server
}) => {
	await createAdmin(page, server, 'ada', 'correct horse battery');

	const message = page.getByRole('textbox', { name: 'Message' });
	await expect(message).toBeVisible();
	// A slow, long reply so the test sees it grow, not just its end.
	await message.fill('Tell me about phosphor. [[sim:len=3000]] [[sim:delay=5]]');
	await page.getByRole('button', { name: 'Send' }).click();

	const reply = page.locator('.turn.assistant').last();
	await expect(reply).toHaveAttribute('data-state', 'streaming');
	const chars = async () => Number(await reply.getAttribute('data-chars'));
	await expect.poll(chars).toBeGreaterThan(20);
	const partial = await chars();
	await expect.poll(chars).toBeGreaterThan(partial);
	await expect(reply).toHaveAttribute('data-state', 'done', { timeout: 30_000 });
	expect(await chars()).toBe(3000);

	await page.reload();
	await expect(page.getByRole('textbox', { name: 'Message' })).toBeVisible();
	await expect(page.getByRole('button', { name: 'Sign in' })).toHaveCount(0);
	await expect(page.getByText('ada')).toBeVisible();
});

test('Enter sends; sign out, a wrong password is refused, the right one signs in', async ({ page, server }) => {
	await createAdmin(page, server, 'grace');

	const message = page.getByRole('textbox', { name: 'Message' });
	await message.fill('hello');
	await message.press('Enter');
	await expect(page.locator('.turn.assistant').last()).toHaveAttribute('data-state', 'done');

	await page.getByRole('button', { name: 'Sign out' }).click();
	await page.getByRole('button', { name: 'Keep data on this device' }).click();
	await page.getByLabel('Username').fill('grace');
	await page.getByLabel('Password').fill('not the password');
	await page.getByRole('button', { name: 'Sign in' }).click();
	await expect(page.getByRole('alert')).toHaveText('Invalid username or password.');

	await page.getByLabel('Password').fill('a long enough password');
	await page.getByRole('button', { name: 'Sign in' }).click();
	await expect(page.getByRole('textbox', { name: 'Message' })).toBeVisible();
});

test('a reload in the middle of a reply re-attaches and watches it complete', async ({ page, server }) => {
	await createAdmin(page, server, 'lin');

	await page.getByRole('textbox', { name: 'Message' }).fill('Keep going. [[sim:len=2500 delay=8]]');
	await page.getByRole('button', { name: 'Send' }).click();
	const reply = page.locator('.turn.assistant').last();
	await expect.poll(async () => Number(await reply.getAttribute('data-chars'))).toBeGreaterThan(100);

	await page.reload();
	const resumed = page.locator('.turn.assistant').last();
	await expect(resumed).toHaveAttribute('data-state', 'streaming');
	await expect(resumed).toHaveAttribute('data-state', 'done', { timeout: 30_000 });
	// The whole reply, no gap and no duplicate: exactly the requested length.
	expect(Number(await resumed.getAttribute('data-chars'))).toBe(2500);
});
