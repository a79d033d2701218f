import { createHash } from 'node:crypto';
import { createReadStream, existsSync, readFileSync, realpathSync, statSync, type Stats } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { extname, join, normalize, resolve, sep } from 'node:path';
import { contentSecurityPolicy } from './security-headers';

const TYPES: Record<string, string> = {
	'.html': 'text/html; charset=utf-8',
	'.js': 'text/javascript; charset=utf-8',
	'.mjs': 'text/javascript; charset=utf-8',
	'.css': 'text/css; charset=utf-8',
	'.json': 'application/json; charset=utf-8',
	'.webmanifest': 'application/manifest+json',
	'.svg': 'image/svg+xml',
	'.png': 'image/png',
	'.ico': 'image/x-icon',
	'.woff2': 'font/woff2',
	'.woff': 'font/woff',
	'.txt': 'text/plain; charset=utf-8',
	'.map': 'application/json; charset=utf-8'
};

/** Vite's hashed output never changes under the same name: cache it for a year. */
const IMMUTABLE = 'public, max-age=31536000, immutable';
/** Everything else (index.html, service worker, manifest) must be revalidated to pick up a deploy. */
const REVALIDATE = 'no-cache';

interface Shell {
	body: Buffer;
	etag: string;
	csp: string;
}

/**
 * Serves the static client build. Unknown paths get the app shell (index.html): the app routes
 * on the client. The shell's inline bootstrap script is allowed by its hash, not by unsafe-inline.
 */
export function createStaticHandler(dir: string) {
	const root = resolve(dir);
	let shell: Shell | null = null;

	const loadShell = (): Shell | null => {
		const file = join(root, 'index.html');
		if (!existsSync(file)) return null;
		const body = readFileSync(file);
		const etag = `"${createHash('sha256').update(body).digest('base64url').slice(0, 27)}"`;
		if (shell?.etag === etag) return shell;
		const scripts = [...body.toString('utf8').matchAll(/<script(?![^>]*\bsrc=)[^>]*>([\s\S]*?)<\/script>/g)];
		const hashes = scripts.map((m) => `'sha256-${createHash('sha256').update(m[1] ?? '').digest('base64')}'`);
		shell = { body, etag, csp: contentSecurityPolicy(hashes) };
		return shell;
	};

	return function serveStatic(req: IncomingMessage, res: ServerResponse, pathname: string): void {
		if (req.method !== 'GET' && req.method !== 'HEAD') {
			res.writeHead(405, { Allow: 'GET, HEAD', 'Content-Type': 'text/plain' }).end('Method not allowed');
			return;
		}
		const found = resolveFile(root, pathname);
		if (found === REFUSED) {
			notFound(res);
			return;
		}
		// The root index.html is the shell itself: same CSP, caching and ETag as `/`.
		const isShell = found !== null && found.path === join(found.root, 'index.html');
		// Any other index.html is not served (not without the shell's CSP).
		if (found && !found.path.endsWith(`${sep}index.html`)) {
			const { path: file, stat } = found;
			const etag = `W/"${stat.size.toString(16)}-${stat.mtimeMs.toString(16)}"`;
			const headers = {
				'Content-Type': TYPES[extname(file)] ?? 'application/octet-stream',
				'Content-Length': String(stat.size),
				'Cache-Control': pathname.startsWith('/_app/immutable/') ? IMMUTABLE : REVALIDATE,
				ETag: etag
			};
			if (req.headers['if-none-match'] === etag) {
				res.writeHead(304, headers).end();
				return;
			}
			res.writeHead(200, headers);
			if (req.method === 'HEAD') res.end();
			else createReadStream(file).on('error', () => res.destroy()).pipe(res);
			return;
		}
		// A missing hashed asset is a real 404: serving HTML there would break a stale client subtly.
		if (!isShell && (pathname.startsWith('/_app/') || /\.[a-z0-9]{1,12}$/i.test(pathname))) {
			notFound(res);
			return;
		}
		const app = loadShell();
		if (!app) {
			res.writeHead(503, { 'Content-Type': 'text/plain; charset=utf-8' })
				.end('The client is not built. Run `npm run build` (or `npm start`, which builds it when missing).');
			return;
		}
		const headers = {
			'Content-Type': 'text/html; charset=utf-8',
			'Cache-Control': REVALIDATE,
			'Content-Security-Policy': app.csp,
			ETag: app.etag
		};
		if (req.headers['if-none-match'] === app.etag) {
			res.writeHead(304, headers).end();
			return;
		}
		res.writeHead(200, { ...headers, 'Content-Length': String(app.body.length) });
		res.end(req.method === 'HEAD' ? undefined : app.body);
	};
}

function notFound(res: ServerResponse): void {
	res.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8' }).end('Not found');
}

/** A path that names something never served: a dotfile, or a file outside the build directory. */
const REFUSED = Symbol('refused');

interface Found {
	/** The real path of the file, symlinks resolved. */
	path: string;
	/** The real path of the build directory. */
	root: string;
	stat: Stats;
}

/**
 * The file under root for a URL path, null when there is none, or REFUSED. Never a path outside
 * root, symlinks included (a symlink is followed only while it stays inside the build directory),
 * and never a dotfile: no path segment may start with '.' (which also refuses '.' and '..').
 */
function resolveFile(root: string, pathname: string): Found | typeof REFUSED | null {
	let decoded: string;
	try {
		decoded = decodeURIComponent(pathname);
	} catch {
		return null;
	}
	if (decoded.includes('\0')) return null;
	if (decoded.split(/[\\/]/).some((segment) => segment.startsWith('.'))) return REFUSED;
	const candidate = normalize(join(root, decoded));
	if (!isInside(root, candidate)) return REFUSED;
	let realRoot: string;
	let real: string;
	try {
		realRoot = realpathSync(root);
		real = realpathSync(candidate);
	} catch {
		return null;
	}
	if (!isInside(realRoot, real)) return REFUSED;
	try {
		const stat = statSync(real);
		return stat.isFile() ? { path: real, root: realRoot, stat } : null;
	} catch {
		return null;
	}
}

function isInside(root: string, path: string): boolean {
	return path === root || path.startsWith(root.endsWith(sep) ? root : root + sep);
}
