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

function filterClasses(value: string): string {
	return value
		.split(/\s+/)
		.filter((name) => CLASS_NAME.test(name))
		.join(' ');
}

function create(): DOMPurify {
	const view = globalThis.window;
	if (!view?.document) throw new Error('render: sanitizing needs a DOM window (browser, or jsdom in tests)');
	const purify = createDOMPurify(view);
	purify.setConfig(CONFIG);
	purify.addHook('uponSanitizeAttribute', (node, data) => {
		const name = data.attrName;
		const value = data.attrValue;
		if (name.startsWith('on')) {
			data.keepAttr = false;
			return;
		}
		switch (name) {
			case 'href':
				data.keepAttr = node.nodeName.toLowerCase() === 'a' && isSafeUrl(value);
				break;
			case 'class':
				data.attrValue = filterClasses(value);
				data.keepAttr = data.attrValue !== '';
				break;
			case 'data-code-index':
			case 'start':
				data.keepAttr = /^\d{1,9}$/.test(value);
				break;
			case 'data-lang':
				data.keepAttr = LANGUAGE_ID.test(value);
				break;
		}
	});
	// Every surviving link opens in a new tab without a referrer or an opener.
	purify.addHook('afterSanitizeAttributes', (node) => {
		if (node.nodeName.toLowerCase() !== 'a' || !node.hasAttribute('href')) return;
		node.setAttribute('rel', 'noopener noreferrer');
		node.setAttribute('target', '_blank');
	});
	return purify;
}

/** Sanitized HTML string for renderer output (or anything else on its way into a reply's DOM). */
export function sanitizeHtml(html: string): string {
	purifier ??= create();
	return purifier.sanitize(html);
}
