import createDOMPurify, { type Config, type DOMPurify } from 'dompurify';
import { isSafeUrl, LANGUAGE_ID } from './url';

/**
 * The second wall. Everything the renderer emits — markdown-it, highlight.js, KaTeX, fallbacks —
 * goes through this one DOMPurify instance (configured once, on first use, with the page's window)
 * before it reaches the DOM. The allowlist is exactly what the renderer needs:
 */
export const ALLOWED_HTML_TAGS = [
	'a', 'blockquote', 'br', 'code', 'del', 'div', 'em', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'hr', 'li', 'ol', 'p', 'pre', 's',
	'span', 'strong', 'table', 'tbody', 'td', 'th', 'thead', 'tr', 'ul'
];
/** KaTeX's MathML output (`semantics`/`annotation` hold the TeX source; `annotation-xml` is not allowed). */
export const ALLOWED_MATHML_TAGS = [
	'math', 'semantics', 'annotation', 'mrow', 'mi', 'mn', 'mo', 'ms', 'mtext', 'mspace', 'msup', 'msub', 'msubsup', 'mfrac',
	'msqrt', 'mroot', 'mstyle', 'mpadded', 'mphantom', 'menclose', 'mover', 'munder', 'munderover', 'mmultiscripts',
	'mprescripts', 'mtable', 'mtr', 'mtd', 'mlabeledtr', 'merror'
];
/** No `style`, no `on*`, no `id`/`name`, no `src`: `href` only on `<a>` and only through `isSafeUrl`. */
export const ALLOWED_ATTRIBUTES = [
	'href', 'title', 'class', 'start', 'data-code-index', 'data-lang',
	// MathML presentation attributes KaTeX writes
	'display', 'displaystyle', 'scriptlevel', 'mathvariant', 'mathcolor', 'mathbackground', 'stretchy', 'fence', 'separator',
	'lspace', 'rspace', 'width', 'height', 'depth', 'voffset', 'minsize', 'maxsize', 'movablelimits', 'largeop', 'symmetric',
	'accent', 'accentunder', 'form', 'columnalign', 'rowalign', 'columnspacing', 'rowspacing', 'columnlines', 'rowlines',
	'frame', 'framespacing', 'notation', 'linethickness', 'encoding', 'side', 'align', 'equalrows', 'equalcolumns'
];
/** Named for the record (they are outside the allowlist anyway). */
const FORBIDDEN_TAGS = [
	'script', 'style', 'link', 'meta', 'base', 'title', 'iframe', 'frame', 'frameset', 'object', 'embed', 'applet', 'form',
	'input', 'button', 'textarea', 'select', 'option', 'optgroup', 'datalist', 'output', 'fieldset', 'label', 'img', 'image',
	'picture', 'source', 'video', 'audio', 'track', 'svg', 'template', 'noscript', 'noembed', 'noframes', 'xmp', 'plaintext',
	'listing', 'annotation-xml', 'maction', 'dialog', 'details', 'portal'
];
const FORBIDDEN_ATTRIBUTES = ['style', 'id', 'name', 'src', 'srcset', 'srcdoc', 'xlink:href', 'action', 'formaction', 'background', 'poster', 'xmlns'];

/** Only the class names the renderer and its side renderers write. */
const CLASS_NAME = /^(?:md-[a-z-]{1,30}|language-[a-z0-9+#-]{1,20}|hljs(?:-[a-z0-9_-]{1,30})?|[a-z][a-z0-9-]{0,30}_{1,3}|katex(?:-[a-z-]{1,20})?)$/;

/** URLs with no scheme, http(s), mailto, raster data:image (`isSafeUrl` decides, in the hook). */
const ALLOWED_URI_REGEXP = /^(?:(?:https?|mailto):|data:image\/(?:png|jpeg|gif|webp)[;,]|[^a-z]|[a-z0-9+.-]+(?:[^a-z0-9+.\-:]|$))/i;

const CONFIG: Config = {
	ALLOWED_TAGS: [...ALLOWED_HTML_TAGS, ...ALLOWED_MATHML_TAGS],
	ALLOWED_ATTR: ALLOWED_ATTRIBUTES,
	FORBID_TAGS: FORBIDDEN_TAGS,
	FORBID_ATTR: FORBIDDEN_ATTRIBUTES,
	ALLOW_DATA_ATTR: false,
	ALLOW_ARIA_ATTR: false,
	ALLOW_UNKNOWN_PROTOCOLS: false,
	ALLOWED_URI_REGEXP,
	ADD_URI_SAFE_ATTR: [],
	KEEP_CONTENT: true,
	WHOLE_DOCUMENT: false,
	RETURN_DOM: false,
	RETURN_DOM_FRAGMENT: false,
	SANITIZE_DOM: true,
	SAFE_FOR_XML: true
};

let purifier: DOMPurify | null = null;
let fragmentPurifier: DOMPurify | null = null;

function filterClasses(value: string): string {
	return value
		.split(/\s+/)
		.filter((name) => CLASS_NAME.test(name))
		.join(' ');
}

const DIGITS = /^\d{1,9}$/;

/**
 * After DOMPurify's own checks (allowlists, URI regexp, namespaces), per element: `href` only on
 * `<a>` and only if `isSafeUrl`; class names filtered; numeric and language attributes validated;
 * every surviving link opens in a new tab without a referrer or an opener. (An
 * afterSanitizeAttributes hook rather than uponSanitizeAttribute: the latter makes DOMPurify copy
 * its attribute allowlist on every call.)
 */
function checkAttributes(node: Element): void {
	if (!node.hasAttributes()) return;
	const href = node.getAttribute('href');
	if (href !== null && (node.localName !== 'a' || !isSafeUrl(href))) node.removeAttribute('href');
	const cls = node.getAttribute('class');
	if (cls !== null) {
		const kept = filterClasses(cls);
		if (!kept) node.removeAttribute('class');
		else if (kept !== cls) node.setAttribute('class', kept);
	}
	for (const name of ['data-code-index', 'start']) {
		const value = node.getAttribute(name);
		if (value !== null && !DIGITS.test(value)) node.removeAttribute(name);
	}
	const lang = node.getAttribute('data-lang');
	if (lang !== null && !LANGUAGE_ID.test(lang)) node.removeAttribute('data-lang');
	if (node.localName === 'a' && node.hasAttribute('href')) {
		node.setAttribute('rel', 'noopener noreferrer');
		node.setAttribute('target', '_blank');
	}
}

function create(returnFragment: boolean): DOMPurify {
	const view = globalThis.window;
	if (!view?.document) throw new Error('render: sanitizing needs a DOM window (browser, or jsdom in tests)');
	const purify = createDOMPurify(view);
	purify.setConfig(returnFragment ? { ...CONFIG, RETURN_DOM_FRAGMENT: true } : CONFIG);
	purify.addHook('afterSanitizeAttributes', checkAttributes);
	return purify;
}

/** Sanitized HTML string for renderer output (or anything else on its way into a reply's DOM). */
export function sanitizeHtml(html: string): string {
	purifier ??= create(false);
	return purifier.sanitize(html);
}

/**
 * The same sanitizer, returning the sanitized nodes themselves (in DOMPurify's inert document;
 * inserting them adopts them): no serialize-and-parse-again, so nothing can mutate in between.
 * `serializeFragment` of the result equals `sanitizeHtml` of the same input.
 */
export function sanitizeToFragment(html: string): DocumentFragment {
	fragmentPurifier ??= create(true);
	const fragment = fragmentPurifier.sanitize(html, { RETURN_DOM_FRAGMENT: true });
	// Into one long-lived inert document, so each call's parser document can be collected.
	inert ??= fragment.ownerDocument.implementation.createHTMLDocument('');
	return inert.adoptNode(fragment);
}
let inert: Document | null = null;

/** HTML of sanitized nodes (what `sanitizeHtml` would have returned). */
export function serializeFragment(fragment: DocumentFragment): string {
	const holder = fragment.ownerDocument.createElement('div');
	holder.append(fragment.cloneNode(true));
	return holder.innerHTML;
}
