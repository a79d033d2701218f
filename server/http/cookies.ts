import type { IncomingMessage, ServerResponse } from 'node:http';

export function readCookie(req: IncomingMessage, name: string): string | undefined {
	const header = req.headers.cookie;
	if (!header) return undefined;
	for (const part of header.split(';')) {
		const eq = part.indexOf('=');
		if (eq === -1) continue;
		if (part.slice(0, eq).trim() === name) {
			try {
				return decodeURIComponent(part.slice(eq + 1).trim());
			} catch {
				return undefined;
			}
		}
	}
	return undefined;
}

export interface CookieOptions {
	maxAgeSeconds: number;
	secure: boolean;
}

/** Appends rather than replaces: one batched tRPC response may carry several cookies. */
export function setCookie(res: ServerResponse, name: string, value: string, opts: CookieOptions): void {
	const attributes = [
		`${name}=${encodeURIComponent(value)}`,
		'Path=/',
		'HttpOnly',
		'SameSite=Lax',
		`Max-Age=${Math.max(0, Math.floor(opts.maxAgeSeconds))}`
	];
	if (opts.secure) attributes.push('Secure');
	const existing = res.getHeader('Set-Cookie');
	const list = Array.isArray(existing) ? existing : existing === undefined ? [] : [String(existing)];
	res.setHeader('Set-Cookie', [...list, attributes.join('; ')]);
}

export function clearCookie(res: ServerResponse, name: string, secure: boolean): void {
	setCookie(res, name, '', { maxAgeSeconds: 0, secure });
}
