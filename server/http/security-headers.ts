import type { IncomingMessage, ServerResponse } from 'node:http';

/** docs/architecture.md#security: no inline script but the shell's own (by hash); styles may be inline (Svelte transitions). */
export function contentSecurityPolicy(scriptHashes: string[]): string {
	return [
		"default-src 'self'",
		`script-src 'self' ${scriptHashes.join(' ')}`.trim(),
		"style-src 'self' 'unsafe-inline'",
		"img-src 'self' data:",
		"font-src 'self'",
		"connect-src 'self'",
		"worker-src 'self'",
		"manifest-src 'self'",
		"object-src 'none'",
		"base-uri 'self'",
		"form-action 'self'",
		"frame-ancestors 'none'"
	].join('; ');
}

export function setSecurityHeaders(res: ServerResponse): void {
	res.setHeader('X-Content-Type-Options', 'nosniff');
	res.setHeader('Referrer-Policy', 'same-origin');
	res.setHeader('X-Frame-Options', 'DENY');
	res.setHeader('Cross-Origin-Opener-Policy', 'same-origin');
}

/**
 * Browsers send Origin on every cross-origin POST. A state-changing request from another site
 * is refused, so a page elsewhere cannot ride a signed-in user's cookie. Non-browser clients
 * (no Origin, no Sec-Fetch-Site) are not affected.
 */
export function isCrossOriginMutation(req: IncomingMessage, publicOrigin: string | undefined): boolean {
	if (req.method === 'GET' || req.method === 'HEAD' || req.method === 'OPTIONS') return false;
	const site = req.headers['sec-fetch-site'];
	if (site === 'cross-site') return true;
	const origin = req.headers.origin;
	if (!origin) return false;
	if (origin === publicOrigin) return false;
	// Behind no proxy, the origin the browser used is the Host it sent.
	const host = req.headers.host;
	return origin !== `http://${host}` && origin !== `https://${host}`;
}
