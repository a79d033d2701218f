import { test as base } from '@playwright/test';
import { startServerProcess, type ServerProcess } from '../helpers/server-process';
import { tempDir } from '../helpers/temp-dir';

/** A real server process per test: fresh temp database, free port, the built client. */
export const test = base.extend<{ server: ServerProcess }>({
	// Playwright reads the fixture's dependencies from this destructuring pattern, even when empty.
	// eslint-disable-next-line no-empty-pattern
	server: async ({}, use) => {
		const dir = tempDir('phosphor-e2e-');
		const server = await startServerProcess({ DATABASE_PATH: `${dir.path}/phosphor.db` });
		await use(server);
		await server.stop();
		dir.cleanup();
	}
});

export { expect } from '@playwright/test';
