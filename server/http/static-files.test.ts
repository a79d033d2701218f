import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createStaticHandler } from './static-files';

const SHELL = '<!doctype html><html><head><script>window.boot = 1;</script></head><body></body></html>';

describe('createStaticHandler', () => {
	let base: string;
	let server: Server;
	let url: string;

	beforeAll(async () => {
		base = mkdtempSync(join(tmpdir(), 'phosphor-static-'));
		const root = join(base, 'build');
		const outside = join(base, 'outside');
		mkdirSync(join(root, '_app', 'immutable'), { recursive: true });
		mkdirSync(join(root, '.well-known'), { recursive: true });
		mkdirSync(join(root, 'assets'), { recursive: true });
		mkdirSync(outside, { recursive: true });
		writeFileSync(join(root, 'index.html'), SHELL);
		writeFileSync(join(root, 'favicon.svg'), '<svg/>');
		writeFileSync(join(root, 'assets', 'index.html'), '<script>nested()</script>');
		writeFileSync(join(root, 'assets', 'logo.txt'), 'logo');
		writeFileSync(join(root, '.env'), 'SECRET=1');
		writeFileSync(join(root, '_app', '.secret'), 'secret');
		writeFileSync(join(root, '.well-known', 'security.txt'), 'contact');
		writeFileSync(join(outside, 'secret.txt'), 'outside secret');
		writeFileSync(join(outside, 'secret'), 'outside secret');
		// Symlinks out of the build directory: a file, and a directory.
		symlinkSync(join(outside, 'secret.txt'), join(root, 'escape.txt'));
		symlinkSync(join(outside, 'secret'), join(root, 'escape'));
		symlinkSync(outside, join(root, 'out-dir'));
		// A symlink that stays inside the build directory.
		symlinkSync(join(root, 'assets', 'logo.txt'), join(root, 'inside.txt'));

		const serve = createStaticHandler(root);
		server = createServer((req, res) => serve(req, res, new URL(req.url ?? '/', 'http://localhost').pathname));
		await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
		url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
	});

	afterAll(async () => {
		const closed = new Promise<void>((resolve) => server.close(() => resolve()));
		server.closeAllConnections();
		await closed;
		rmSync(base, { recursive: true, force: true });
	});

	it('serves a plain file', async () => {
		const res = await fetch(`${url}/favicon.svg`);
		expect(res.status).toBe(200);
		expect(res.headers.get('content-type')).toBe('image/svg+xml');
		expect(await res.text()).toBe('<svg/>');
	});

	it.each(['/.env', '/_app/.secret', '/.well-known/security.txt', '/.well-known/security', '/%2eenv', '/_app/%2Esecret', '/assets/../.env'])(
		'never serves the dotfile path %s',
		async (path) => {
			const res = await fetch(`${url}${path}`);
			expect(res.status).toBe(404);
			const body = await res.text();
			expect(body).not.toContain('SECRET');
			expect(body).not.toContain('secret');
			expect(body).not.toContain('contact');
		}
	);

	it.each(['/escape.txt', '/escape', '/out-dir/secret.txt', '/out-dir/secret'])(
		'does not follow the symlink %s out of the build directory',
		async (path) => {
			const res = await fetch(`${url}${path}`);
			expect(await res.text()).not.toContain('outside secret');
		}
	);

	it('serves a symlink that stays inside the build directory', async () => {
		const res = await fetch(`${url}/inside.txt`);
		expect(res.status).toBe(200);
		expect(await res.text()).toBe('logo');
	});

	it('serves /index.html exactly like /', async () => {
		const root = await fetch(`${url}/`);
		const index = await fetch(`${url}/index.html`);
		expect(root.status).toBe(200);
		expect(index.status).toBe(200);
		const csp = root.headers.get('content-security-policy');
		expect(csp).toMatch(/script-src 'self' 'sha256-[^']+'/);
		for (const header of ['content-type', 'content-security-policy', 'cache-control', 'etag']) {
			expect(index.headers.get(header), header).toBe(root.headers.get(header));
		}
		expect(index.headers.get('cache-control')).toBe('no-cache');
		expect(await index.text()).toBe(await root.text());

		const revalidated = await fetch(`${url}/index.html`, { headers: { 'If-None-Match': root.headers.get('etag') ?? '' } });
		expect(revalidated.status).toBe(304);
		expect(revalidated.headers.get('content-security-policy')).toBe(csp);
	});

	it('does not serve a nested index.html without the shell CSP', async () => {
		const res = await fetch(`${url}/assets/index.html`);
		expect(res.status).toBe(404);
		expect(await res.text()).not.toContain('nested()');
	});
});
