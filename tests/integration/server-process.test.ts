import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { spawnServer, startServerProcess } from '../helpers/server-process';
import { tempDir } from '../helpers/temp-dir';
import { TrpcHttp } from '../helpers/trpc-http';
import { subscribe } from '../helpers/trpc-subscription';

const ROOT = resolve(import.meta.dirname, '..', '..');

describe('the server process', () => {
	const cleanups: Array<() => unknown> = [];
	afterEach(async () => {
		for (const c of cleanups.splice(0).reverse()) await c();
	});
	const dir = () => {
		const d = tempDir();
		cleanups.push(d.cleanup);
		return d.path;
	};

	it('exits 1 on a bad variable, naming it and what is allowed', async () => {
		const proc = spawnServer({ PORT: 'eighty', LOG_LEVEL: 'chatty', DATABASE_PATH: `${dir()}/db` });
		expect(await proc.exited).toBe(1);
		expect(proc.output()).toMatch(/PORT="eighty": must be a port number/);
		expect(proc.output()).toMatch(/LOG_LEVEL="chatty": must be one of debug, info, warn, error, silent/);
		expect(proc.output()).not.toMatch(/at .*\.ts:\d+/);
	});

	it('never echoes the API key, even when it is rejected', async () => {
		const proc = spawnServer({ OPENROUTER_API_KEY: '   ', UPSTREAM_BASE_URL: 'not a url', DATABASE_PATH: `${dir()}/db` });
		expect(await proc.exited).toBe(1);
		expect(proc.output()).toMatch(/UPSTREAM_BASE_URL="not a url": must be an http\(s\) URL/);
		expect(proc.output()).toMatch(/OPENROUTER_API_KEY=\(hidden\)/);
	});

	it('exits 1 with a clear message, not a stack trace, when DATABASE_PATH is not writable', async () => {
		const blocker = `${dir()}/a-file`;
		writeFileSync(blocker, 'not a directory');
		const proc = spawnServer({ DATABASE_PATH: `${blocker}/phosphor.db` });
		expect(await proc.exited).toBe(1);
		expect(proc.output()).toMatch(/phosphor: Cannot open the database at .*a-file\/phosphor\.db: .*Set DATABASE_PATH/);
		expect(proc.output()).not.toMatch(/\n\s+at /);
	});

	it('prints the setup code on first run only, and stops gracefully on SIGTERM', async () => {
		const path = `${dir()}/phosphor.db`;
		const first = await startServerProcess({ DATABASE_PATH: path });
		const [, code] = await first.waitFor(/Setup code: (\S+)/);
		const client = new TrpcHttp(first.url);
		expect((await client.mutation('auth.setup', { setupCode: code, username: 'ada', password: 'long password' })).status).toBe(200);
		expect(await first.stop('SIGTERM')).toBe(0);
		expect(first.output()).toMatch(/SIGTERM: shutting down/);
		expect(first.output()).toMatch(/stopped/);

		const second = await startServerProcess({ DATABASE_PATH: path });
		cleanups.push(() => second.stop());
		expect(second.output()).not.toMatch(/Setup code/);
		expect((await new TrpcHttp(second.url).mutation('auth.login', { username: 'ada', password: 'long password' })).status).toBe(200);
	});

	it('on SIGINT ends a streaming reply cleanly for its watcher, then exits 0', async () => {
		const server = await startServerProcess({ DATABASE_PATH: `${dir()}/phosphor.db` });
		const [, code] = await server.waitFor(/Setup code: (\S+)/);
		const client = new TrpcHttp(server.url);
		await client.mutation('auth.setup', { setupCode: code, username: 'ada', password: 'long password' });
		const started = await client.mutation('generation.start', { content: 'slow [[sim:trickle=100]]' });
		const { generationId } = started.json.result?.data as { generationId: string };
		const cookie = [...client.cookies].map(([k, v]) => `${k}=${v}`).join('; ');

		const seen: string[] = [];
		let exit: Promise<number | null> | null = null;
		const t0 = Date.now();
		for await (const event of subscribe(server.url, 'generation.attach', { generationId }, { cookie })) {
			if (event.id === null) continue;
			const type = (event.data as { type: string }).type;
			seen.push(type);
			// The first delta proves the request is in flight; now ask the server to stop.
			exit ??= server.stop('SIGINT');
			if (['done', 'failed', 'cancelled'].includes(type)) break;
		}
		expect(seen.at(-1)).toBe('cancelled');
		expect(await exit).toBe(0);
		// Well inside the 5 s drain limit: no idle keep-alive socket held the exit.
		expect(Date.now() - t0).toBeLessThan(4_000);
	});

	it('after a crash (kill -9) mid-reply, the restarted server marks the job failed and keeps its partial text', async () => {
		const path = `${dir()}/phosphor.db`;
		const first = await startServerProcess({ DATABASE_PATH: path });
		const [, code] = await first.waitFor(/Setup code: (\S+)/);
		const client = new TrpcHttp(first.url);
		await client.mutation('auth.setup', { setupCode: code, username: 'ada', password: 'long password' });
		const started = await client.mutation('generation.start', { content: 'slow [[sim:trickle=5]]' });
		const { generationId } = started.json.result?.data as { generationId: string };
		// Long enough for a few throttled writes of the growing reply.
		await new Promise((r) => setTimeout(r, 1_200));
		first.child.kill('SIGKILL');
		await first.stop();

		const second = await startServerProcess({ DATABASE_PATH: path });
		cleanups.push(() => second.stop());
		expect(second.output()).toMatch(/marked replies interrupted by a restart as failed count=1/);
		const again = new TrpcHttp(second.url);
		await again.mutation('auth.login', { username: 'ada', password: 'long password' });
		const cookie = [...again.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
		const events: Array<{ type: string; text?: string; reason?: string }> = [];
		for await (const e of subscribe(second.url, 'generation.attach', { generationId }, { cookie })) {
			if (e.id !== null) events.push(e.data as { type: string });
		}
		expect(events[0]?.type).toBe('snapshot');
		expect(events[0]?.text?.length).toBeGreaterThan(10);
		expect(events[1]).toEqual({ type: 'failed', reason: expect.stringMatching(/server restarted/) });
	});

	it('admin CLI: `user add` prints a generated password that signs in; --password-stdin reads one', async () => {
		const path = `${dir()}/phosphor.db`;
		const env = { ...process.env, DATABASE_PATH: path };
		const admin = (args: string[], input?: string) =>
			spawnSync(process.execPath, ['--import', 'tsx', 'server/cli/admin.ts', ...args], { cwd: ROOT, env, input, encoding: 'utf8' });

		const added = admin(['user', 'add', 'grace', '--admin']);
		expect(added.status).toBe(0);
		const password = added.stdout.trim();
		expect(password).toMatch(/^[\w-]{20}$/);
		expect(added.stderr).toMatch(/Created user grace \(admin\)/);

		const piped = admin(['user', 'add', 'linus', '--password-stdin'], 'from stdin please\n');
		expect(piped.status).toBe(0);
		expect(piped.stdout).toBe('');

		const taken = admin(['user', 'add', 'GRACE']);
		expect(taken.status).toBe(1);
		expect(taken.stderr).toMatch(/The username "GRACE" is taken/);
		const bad = admin(['user', 'add', 'bad name']);
		expect(bad.status).toBe(2);
		const tooShort = admin(['user', 'add', 'short', '--password-stdin'], 'abc\n');
		expect(tooShort.stderr).toMatch(/at least 8 characters/);

		const server = await startServerProcess({ DATABASE_PATH: path });
		cleanups.push(() => server.stop());
		expect(server.output()).not.toMatch(/Setup code/);
		const grace = await new TrpcHttp(server.url).mutation('auth.login', { username: 'grace', password });
		expect(grace.json.result?.data).toMatchObject({ username: 'grace', isAdmin: true });
		const linus = await new TrpcHttp(server.url).mutation('auth.login', { username: 'linus', password: 'from stdin please' });
		expect(linus.json.result?.data).toMatchObject({ username: 'linus', isAdmin: false });
	});
});
