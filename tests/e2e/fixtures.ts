import { test as base, type Page } from '@playwright/test';
import { startServerProcess, type ServerProcess } from '../helpers/server-process';
import { tempDir } from '../helpers/temp-dir';

/** A real server process per test: fresh temp database, free port, the built client. */
export type TestServer = ServerProcess & { databasePath: string };

export const test = base.extend<{ server: TestServer }>({
	server: async ({ context }, use) => {
		const dir = tempDir('phosphor-e2e-');
		const databasePath = `${dir.path}/phosphor.db`;
		const server = await startServerProcess({ DATABASE_PATH: databasePath });
		await use({ ...server, databasePath });
		// The pages' live subscriptions would keep the server draining for seconds: close them first.
		await context.close();
		await server.stop();
		dir.cleanup();
	}
});

export { expect } from '@playwright/test';

/** First-run setup in the browser with the code from the server's log; ends signed in. */
export async function createAdmin(page: Page, server: ServerProcess, username: string, password = 'a long enough password') {
	const [, code] = await server.waitFor(/Setup code: ([A-Z0-9]{4}-[A-Z0-9]{4}-[A-Z0-9]{4})/);
	await page.goto(server.url);
	await page.getByLabel('Setup code').fill(code as string);
	await page.getByLabel('Username').fill(username);
	await page.getByLabel('Password').fill(password);
	await page.getByRole('button', { name: 'Create admin' }).click();
}
