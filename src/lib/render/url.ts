/**
 * The link allowlist shared by markdown-it's validateLink and the DOMPurify hook: http(s), mailto,
 * relative URLs (no scheme, incl. `#fragment`, `/path`, `?query`, `//host`) and raster
 * `data:image/(png|jpeg|gif|webp)`. Everything else (javascript:, vbscript:, data:text/html,
 * data:image/svg+xml, file:, blob:, custom schemes) is refused.
 */

/** Browsers drop ASCII tab/newline anywhere in a URL and C0 controls/space at its ends (WHATWG URL). */
// eslint-disable-next-line no-control-regex
const IGNORED_BY_URL_PARSER = /[\u0000-\u0020\u007f-\u009f\u00a0\u1680\u180e\u2000-\u2029\u205f\u3000\ufeff]/g;
const SCHEME = /^([a-z][a-z0-9+.-]*):/;
const RASTER_DATA = /^data:image\/(?:png|jpeg|gif|webp)[;,]/;

export function isSafeUrl(url: string): boolean {
	const compact = url.replace(IGNORED_BY_URL_PARSER, '').toLowerCase();
	const scheme = SCHEME.exec(compact)?.[1];
	if (scheme === undefined) return true; // relative: resolved against the app's own origin
	if (scheme === 'http' || scheme === 'https' || scheme === 'mailto') return true;
	return scheme === 'data' && RASTER_DATA.test(compact);
}

/** Code-fence language ids the renderer accepts; anything else renders as plain code without a label. */
export const LANGUAGE_ID = /^[a-z0-9+#-]{1,20}$/;

/** The first word of a fence's info string, lower-cased, if it is an acceptable language id. */
export function languageId(info: string): string | null {
	const word = info.trim().split(/\s+/, 1)[0]?.toLowerCase() ?? '';
	return LANGUAGE_ID.test(word) ? word : null;
}
