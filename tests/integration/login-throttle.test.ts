import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createUser } from '../../server/auth/users';
import { startTestApp, type TestApp } from '../helpers/app';

interface Reply {
	status: number;
	body: string;
	setCookie: string[];
	retryAfter?: string;
	ms: number;
}

/** A POST from a chosen loopback address (all of 127/8 reaches the server), so tests can be many clients. */
function post(baseUrl: string, path: string, body: unknown, from = '127.0.0.1'): Promise<Reply> {
	const url = new URL(path, baseUrl);
	const payload = JSON.stringify(body);
	const started = performance.now();
	return new Promise((resolve, reject) => {
		const req = request(
			url,
			{ method: 'POST', localAddress: from, agent: false, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) } },
			(res) => {
				let text = '';
				res.on('data', (c: Buffer) => (text += c.toString('utf8')));
				res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text, setCookie: res.headers['set-cookie'] ?? [], retryAfter: res.headers['retry-after'], ms: performance.now() - started }));
			}
		);
		req.once('error', reject);
		req.end(payload);
	});
}

function get(baseUrl: string, path: string): Promise<Reply> {
	const started = performance.now();
	return fetch(new URL(path, baseUrl)).then(async (res) => ({ status: res.status, body: await res.text(), setCookie: [], ms: performance.now() - started }));
}

const batchOf = (n: number, input: (i: number) => unknown) => ({
	path: `/trpc/${Array.from({ length: n }, () => 'auth.login').join(',')}?batch=1`,
	body: Object.fromEntries(Array.from({ length: n }, (_, i) => [String(i), input(i)]))
});

describe('login throttle under concurrency and batching', () => {
	let app: TestApp;
	const password = 'correct horse battery';

	beforeAll(async () => {
		app = await startTestApp();
		for (const username of ['ada', 'bob', 'cy', 'dee']) await createUser(app.services.db, { username, password, isAdmin: false });
	});
	afterAll(() => app.stop());

	it('40 concurrent guesses for one user from one address: at most 10 are checked, the right password last is refused', async () => {
		const replies = await Promise.all(
			Array.from({ length: 40 }, (_, i) => post(app.url, '/trpc/auth.login', { username: 'ada', password: i === 39 ? password : `guess ${i}` }, '127.0.0.2'))
		);
		const checked = replies.filter((r) => r.status !== 429);
		expect(checked.length).toBeLessThanOrEqual(10);
		expect(replies.filter((r) => r.status === 429).length).toBeGreaterThanOrEqual(30);
		expect(replies.at(-1)?.status).toBe(429);
		expect(replies.flatMap((r) => r.setCookie)).toEqual([]);
		// The lock is this address's alone: ada signs in from elsewhere.
		expect((await post(app.url, '/trpc/auth.login', { username: 'ada', password }, '127.0.0.3')).status).toBe(200);
	});

	it('keeps refusing that address once the guesses are spent, with Retry-After', async () => {
		let reply: Reply | undefined;
		for (let i = 0; i < 12; i++) reply = await post(app.url, '/trpc/auth.login', { username: 'bob', password: `guess ${i}` }, '127.0.0.4');
		expect(reply?.status).toBe(429);
		expect(reply?.body).toMatch(/Too many failed sign-ins from this address. Try again in 15 min/);
		expect(Number(reply?.retryAfter)).toBeGreaterThan(800);
		const right = await post(app.url, '/trpc/auth.login', { username: 'bob', password }, '127.0.0.4');
		expect(right.status).toBe(429);
	});

	it('refuses a batch with more than one auth call, whatever its size, and checks no password', async () => {
		for (const n of [2, 40, 200]) {
			const { path, body } = batchOf(n, (i) => ({ username: 'cy', password: i === n - 1 ? password : `guess ${i}` }));
			const reply = await post(app.url, path, body, '127.0.0.5');
			expect(reply.status).toBe(400);
			expect(reply.setCookie).toEqual([]);
			expect(reply.body).toMatch(n > 16 ? /Batch call exceeds maximum size/ : /at most one auth call/);
		}
		// Nothing above counted as an attempt: cy still has every guess left.
		expect((await post(app.url, '/trpc/auth.login', { username: 'cy', password }, '127.0.0.5')).status).toBe(200);
	});

	it('a flood of sign-ins from many addresses neither stalls the server nor keeps a regular user out', async () => {
		// dee has signed in from this address before: her sign-in goes ahead of strangers' guesses.
		expect((await post(app.url, '/trpc/auth.login', { username: 'dee', password }, '127.0.2.1')).status).toBe(200);
		const flood = Array.from({ length: 400 }, (_, i) =>
			post(app.url, '/trpc/auth.login', { username: `nobody${i}`, password: 'guess' }, `127.0.1.${(i % 40) + 1}`)
		);
		const probes: number[] = [];
		const probing = (async () => {
			for (let i = 0; i < 20; i++) probes.push((await get(app.url, '/healthz')).ms);
		})();
		const signIn = await post(app.url, '/trpc/auth.login', { username: 'dee', password }, '127.0.2.1');
		const replies = await Promise.all(flood);
		await probing;
		expect(signIn.status).toBe(200);
		// Before the fix this took ~15 s: 400 queued scrypt hashes in front of it.
		expect(signIn.ms).toBeLessThan(3_000);
		expect(Math.max(...probes)).toBeLessThan(1_000);
		// Most of the flood is refused at once instead of being hashed.
		expect(replies.filter((r) => r.status === 429).length).toBeGreaterThan(300);
	});
});
