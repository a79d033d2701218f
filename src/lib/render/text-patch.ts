/**
 * Text patches for the block being streamed. Most appends change the renderer's HTML for that
 * block only inside the text run being written (the characters between two tags). Instead of
 * sanitizing the whole block again, the previous sanitized nodes are copied and that run's Text
 * node gets the new text as data — text can never become markup, so every element and attribute
 * stays DOMPurify's own output. DOMPurify's decisions do not depend on escaped text, so the result
 * equals sanitizing the new HTML again; the property tests compare every step with a fresh
 * sanitize. (Changes that add markup go through DOMPurify: sanitizing just the new piece was
 * measured no faster, its cost being mostly per call.)
 *
 * Where a run sits in the nodes is not assumed: every rendering is checked on creation (its text
 * nodes are its text runs, its elements its start tags, one for one, in order); one that does not
 * match is never patched.
 */

/** Elements whose content is ordinary text (not table or list structure). */
const TEXT_PARENT = new Set(['p', 'li', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'td', 'th', 'code', 'em', 'strong', 's', 'del', 'a', 'span']);
const VOID = new Set(['br', 'hr']);

const ENTITY = /&(?:#(\d{1,7})|#[xX]([0-9a-fA-F]{1,6})|(amp|lt|gt|quot|apos|nbsp));/g;
/** Every `&` starts one of the entities decodeText knows (markdown-it writes a lone `&` as &amp;). */
const SIMPLE_ENTITIES_ONLY = /^(?:[^&]|&(?:#\d{1,7}|#[xX][0-9a-fA-F]{1,6}|amp|lt|gt|quot|apos|nbsp);)*$/;
const NAMED: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: '\u00a0' };

/** The text of an escaped HTML text run, or null if it holds anything but simple entities. */
export function decodeText(run: string): string | null {
	if (!run.includes('&')) return run;
	if (!SIMPLE_ENTITIES_ONLY.test(run)) return null;
	return run.replace(ENTITY, (_m, dec: string | undefined, hex: string | undefined, name: string | undefined) => {
		if (name) return NAMED[name]!;
		const code = dec !== undefined ? Number.parseInt(dec, 10) : Number.parseInt(hex!, 16);
		return code > 0 && code <= 0x10ffff && (code < 0xd800 || code > 0xdfff) ? String.fromCodePoint(code) : '\ufffd';
	});
}

/** Text runs (decoded, non-empty) and start-tag names, in order, of renderer HTML. */
export interface Structure {
	runs: string[];
	tags: string[];
}

/**
 * Every `<…>` in renderer HTML is a tag: markdown-it, highlight.js and KaTeX escape `<` and `>`
 * in text and attribute values. Null if a run holds an entity decodeText does not know.
 */
export function structureOf(raw: string): Structure | null {
	const runs: string[] = [];
	const tags: string[] = [];
	let at = 0;
	while (at < raw.length) {
		const open = raw.indexOf('<', at);
		const end = open < 0 ? raw.length : open;
		if (end > at) {
			const text = decodeText(raw.slice(at, end));
			if (text === null) return null;
			runs.push(text);
		}
		if (open < 0) break;
		const close = raw.indexOf('>', open);
		if (close < 0) return null;
		if (raw.charCodeAt(open + 1) !== 0x2f /* / */) tags.push(tagName(raw, open));
		at = close + 1;
	}
	return { runs, tags };
}

function tagName(raw: string, open: number): string {
	const m = /^<\/?([a-zA-Z][a-zA-Z0-9-]*)/.exec(raw.slice(open, open + 40));
	return m ? m[1]!.toLowerCase() : '';
}

/** Are these nodes exactly the structure: text nodes = runs, elements = start tags, in order? */
export function matchesStructure(roots: ArrayLike<Node>, structure: Structure): boolean {
	let run = 0;
	let tag = 0;
	const visit = (node: Node): boolean => {
		if (node.nodeType === 3) return (node as Text).data === structure.runs[run++];
		if (node.nodeType !== 1 || (node as Element).localName !== structure.tags[tag++]) return false;
		for (let child = node.firstChild; child; child = child.nextSibling) if (!visit(child)) return false;
		return true;
	};
	for (let i = 0; i < roots.length; i++) if (!visit(roots[i]!)) return false;
	return run === structure.runs.length && tag === structure.tags.length;
}

/** Text node `index` (document order) gets `data`. */
export interface Patch {
	index: number;
	data: string;
}

/**
 * If `next` differs from `prev` only inside one non-empty text run whose parent is a text element,
 * the patch that turns one into the other. `prev` must be a rendering whose nodes match its
 * structure (checked once per rendering by the caller).
 */
export function patchBetween(prev: string, next: string): Patch | null {
	if (prev === next) return null;
	const max = Math.min(prev.length, next.length);
	let p = 0;
	while (p < max && prev.charCodeAt(p) === next.charCodeAt(p)) p++;
	let s = 0;
	while (s < max - p && prev.charCodeAt(prev.length - 1 - s) === next.charCodeAt(next.length - 1 - s)) s++;
	// Widen the difference to its whole run: from just after the tag before it to the tag after it.
	const start = prev.lastIndexOf('>', p - 1) + 1;
	if (start === 0) return null;
	const tagAfterStart = prev.indexOf('<', start);
	if (tagAfterStart < 0 || tagAfterStart < p) return null; // the difference starts inside a tag
	const end = prev.indexOf('<', prev.length - s);
	if (end < 0) return null;
	const before = prev.slice(start, end);
	const after = next.slice(start, next.length - (prev.length - end));
	if (!before || !after || /[<>]/.test(before) || /[<>]/.test(after)) return null;
	const data = decodeText(after);
	if (data === null) return null;

	// The tags before `start`: which element holds the run, and how many runs came before it.
	const open: string[] = [];
	let index = 0;
	for (let at = 0; at < start; ) {
		const lt = prev.indexOf('<', at);
		if (lt > at) index++;
		const name = tagName(prev, lt);
		if (prev.charCodeAt(lt + 1) === 0x2f) {
			if (open.pop() !== name) return null;
		} else if (!VOID.has(name)) open.push(name);
		at = prev.indexOf('>', lt) + 1;
	}
	const parent = open[open.length - 1];
	return parent && TEXT_PARENT.has(parent) ? { index, data } : null;
}

/** Applies a patch to nodes (a fragment's children, or a view's copy of them). */
export function applyPatch(roots: ArrayLike<Node>, patch: Patch): boolean {
	let count = 0;
	let found: Text | null = null;
	const visit = (node: Node): boolean => {
		if (node.nodeType === 3 && count++ === patch.index) {
			found = node as Text;
			return true;
		}
		for (let child = node.firstChild; child; child = child.nextSibling) if (visit(child)) return true;
		return false;
	};
	for (let i = 0; i < roots.length && !found; i++) visit(roots[i]!);
	const text = found as Text | null;
	if (!text) return false;
	text.data = patch.data;
	return true;
}
