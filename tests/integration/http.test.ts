import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../helpers/app';

describe('http surface', () => {
	let app: TestApp;
	beforeAll(async () => {
		app = await startTestApp();
	});
	afterAll(() => app.stop());

	it('/healthz says the process is up', async () => {
		const res = await fetch(`${app.url}/healthz`);
		expect(res.status).toBe(200);
		expect(res.headers.get('content-type')).toMatch(/application\/json/);
		expect(await res.json()).toEqual({ status: 'ok' });
	});

	it('/readyz checks the database and the migrations, and lists background work still pending', async () => {
		await app.services.metering.catalog.loaded();
		const res = await fetch(`${app.url}/readyz`);
		expect(res.status).toBe(200);
		expect(await res.json()).toEqual({
			status: 'ready',
			checks: { database: 'ok', migrations: 'ok', catalog: 'ok', reconciliation: 'ok' },
			pending: []
		});
	});

	it('serves the app shell with a strict CSP and nosniff, revalidated on every load', async () => {
		const res = await fetch(`${app.url}/some/client/route`);
		expect(res.status).toBe(200);
		expect(res.headers.get('content-type')).toMatch(/text\/html/);
		expect(res.headers.get('cache-control')).toBe('no-cache');
		expect(res.headers.get('x-content-type-options')).toBe('nosniff');
		const csp = res.headers.get('content-security-policy') ?? '';
		expect(csp).toMatch(/script-src 'self'( 'sha256-[^']+')*;/);
		expect(csp).not.toMatch(/unsafe-inline'[^;]*script|script-src[^;]*unsafe-inline/);
		expect(await res.text()).toContain('<html');
	});

	it('caches hashed assets for a year', async () => {
		const dir = join('build', '_app', 'immutable', 'entry');
		const asset = readdirSync(dir).find((f) => f.endsWith('.js'));
		expect(asset).toBeDefined();
		const res = await fetch(`${app.url}/_app/immutable/entry/${asset}`);
		expect(res.status).toBe(200);
		expect(res.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
		expect(res.headers.get('content-type')).toMatch(/javascript/);
	});

	it('answers 404 for a missing asset instead of the shell, and never leaves the build directory', async () => {
		expect((await fetch(`${app.url}/_app/immutable/missing.js`)).status).toBe(404);
		const traversal = await fetch(`${app.url}/..%2f..%2fpackage.json`);
		expect(await traversal.text()).not.toContain('"dependencies"');
	});
});
