import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sessions } from '../../server/db/schema';
import { setupCodeFrom, startTestApp, type TestApp } from '../helpers/app';
import { TrpcHttp } from '../helpers/trpc-http';

describe('auth', () => {
	let app: TestApp;
	const admin = { username: 'ada', password: 'correct horse battery' };

	beforeAll(async () => {
		app = await startTestApp();
	});
	afterAll(() => app.stop());

	it('first run: status asks for setup and the log shows a setup code', async () => {
		const client = new TrpcHttp(app.url);
		const res = await client.query('auth.status');
		expect(res.json.result?.data).toEqual({ needsSetup: true, user: null });
		expect(setupCodeFrom(app.logs)).toMatch(/^[A-Z0-9]{4}-[A-Z0-9]{4}-[A-Z0-9]{4}$/);
	});

	it('refuses a wrong setup code and keeps the right one valid', async () => {
		const client = new TrpcHttp(app.url);
		const res = await client.mutation('auth.setup', { setupCode: 'AAAA-BBBB-CCCC', ...admin });
		expect(res.status).toBe(403);
		expect(res.json.error?.message).toMatch(/setup code is not right/);
	});

	it('names the bad field when input fails validation, with status 400', async () => {
		const client = new TrpcHttp(app.url);
		const res = await client.mutation('auth.setup', { setupCode: setupCodeFrom(app.logs), username: 'ada', password: 'short' });
		expect(res.status).toBe(400);
		expect(res.json.error?.message).toMatch(/password: A password has at least 8 characters/);
		expect(res.json.error?.data?.fieldErrors).toEqual({ password: 'A password has at least 8 characters.' });
		const missing = await client.mutation('auth.login', { username: 'ada' });
		expect(missing.status).toBe(400);
		expect(missing.json.error?.data?.fieldErrors).toHaveProperty('password');
	});

	it('setup creates the admin, signs in with an HttpOnly SameSite cookie, and works only once', async () => {
		const client = new TrpcHttp(app.url);
		const res = await client.mutation('auth.setup', { setupCode: setupCodeFrom(app.logs).toLowerCase(), ...admin });
		expect(res.status).toBe(200);
		expect(res.json.result?.data).toMatchObject({ username: 'ada', isAdmin: true });
		expect(res.setCookie[0]).toMatch(/^phosphor_session=[\w-]{43}; Path=\/; HttpOnly; SameSite=Lax; Max-Age=\d+$/);
		expect((await client.query('auth.me')).json.result?.data).toMatchObject({ username: 'ada' });

		const again = await new TrpcHttp(app.url).mutation('auth.setup', { setupCode: setupCodeFrom(app.logs), username: 'eve', password: 'another password' });
		expect(again.status).toBe(409);
	});

	it('stores only a hash of the session token', async () => {
		const client = new TrpcHttp(app.url);
		await client.mutation('auth.login', admin);
		const token = client.cookies.get('phosphor_session') ?? '';
		const stored = app.services.db.select().from(sessions).all().map((s) => s.tokenHash);
		expect(stored.length).toBeGreaterThan(0);
		expect(stored).not.toContain(token);
		expect(stored.every((h) => /^[0-9a-f]{64}$/.test(h))).toBe(true);
	});

	it('gives the same answer for a wrong password and an unknown user', async () => {
		const wrong = await new TrpcHttp(app.url).mutation('auth.login', { username: 'ada', password: 'wrong password' });
		const unknown = await new TrpcHttp(app.url).mutation('auth.login', { username: 'nobody', password: 'wrong password' });
		expect(wrong.status).toBe(401);
		expect(unknown.status).toBe(401);
		expect(wrong.json.error?.message).toBe('Invalid username or password.');
		expect(unknown.json.error?.message).toBe(wrong.json.error?.message);
		expect(wrong.setCookie).toEqual([]);
	});

	it('signs in case-insensitively by username, and logout ends the session server-side', async () => {
		const client = new TrpcHttp(app.url);
		expect((await client.mutation('auth.login', { ...admin, username: 'ADA' })).status).toBe(200);
		const token = client.cookies.get('phosphor_session');
		expect((await client.mutation('auth.logout')).status).toBe(200);
		expect(client.cookies.has('phosphor_session')).toBe(false);
		// Replaying the old cookie after logout does not work either.
		const replay = new TrpcHttp(app.url);
		replay.cookies.set('phosphor_session', token ?? '');
		expect((await replay.query('auth.me')).status).toBe(401);
	});

	it('rejects an expired session with a clear error', async () => {
		const client = new TrpcHttp(app.url);
		await client.mutation('auth.login', admin);
		app.services.db.update(sessions).set({ expiresAt: Date.now() - 1 }).run();
		const res = await client.query('auth.me');
		expect(res.status).toBe(401);
		expect(res.json.error?.message).toMatch(/Not signed in, or the session has expired/);
		expect((await client.query('auth.status')).json.result?.data).toEqual({ needsSetup: false, user: null });
	});

	it('refuses a mutation from another origin', async () => {
		const client = new TrpcHttp(app.url);
		const res = await client.mutation('auth.login', admin, { origin: 'https://evil.example' });
		expect(res.status).toBe(403);
		expect(res.setCookie).toEqual([]);
		const same = await client.mutation('auth.login', admin, { origin: app.url });
		expect(same.status).toBe(200);
	});

	it('protects procedures: no cookie, no reply', async () => {
		const res = await new TrpcHttp(app.url).mutation('generation.start', { content: 'hi' });
		expect(res.status).toBe(401);
	});
});
