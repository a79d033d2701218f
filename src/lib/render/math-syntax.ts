import type { MarkdownIt, StateBlock, StateInline } from 'markdown-it';

/**
 * Math delimiters as markdown-it syntax (rendering is in markdown.ts):
 * - block `$$ … $$` and `\[ … \]`: on their own lines (or one line `$$ x $$`), interrupting a
 *   paragraph; a blank line inside ends the attempt, so an unclosed `$$` stays plain text and can
 *   never swallow the rest of a reply (nor hold the streaming renderer's open tail for long);
 * - inline `$…$` (pandoc's rule: no space after the opener or before the closer, no digit right
 *   after the closer, so "$5 and $10" stays text), `$$…$$` and `\[…\]` (display) and `\(…\)`.
 * `\$` stays an escaped dollar.
 */
const MAX_BLOCK_LINES = 200;

function isWhitespace(code: number): boolean {
	return code === 0x20 || code === 0x09 || code === 0x0a || code === 0x0d || Number.isNaN(code);
}

function mathBlock(state: StateBlock, startLine: number, endLine: number, silent: boolean): boolean {
	if (state.sCount[startLine]! - state.blkIndent >= 4) return false;
	const src = state.src;
	const begin = state.bMarks[startLine]! + state.tShift[startLine]!;
	let open: string;
	let close: string;
	if (src.startsWith('$$', begin)) {
		open = '$$';
		close = '$$';
	} else if (src.startsWith('\\[', begin)) {
		open = '\\[';
		close = '\\]';
	} else return false;
	const first = src.slice(begin + 2, state.eMarks[startLine]).trimEnd();
	const closeInFirst = first.indexOf(close);
	let content: string;
	let next = startLine + 1;
	if (closeInFirst >= 0) {
		// One line: the closer must end it (`$$ x $$ and more` is inline math in a paragraph).
		if (closeInFirst !== first.length - close.length) return false;
		content = first.slice(0, closeInFirst);
	} else {
		const lines = [first];
		let found = false;
		for (; next < endLine && next - startLine <= MAX_BLOCK_LINES; next++) {
			if (state.isEmpty(next) || state.sCount[next]! < state.blkIndent) return false;
			const line = src.slice(state.bMarks[next]! + state.tShift[next]!, state.eMarks[next]).trimEnd();
			const at = line.indexOf(close);
			if (at >= 0) {
				if (at !== line.length - close.length) return false;
				lines.push(line.slice(0, at));
				found = true;
				next++;
				break;
			}
			lines.push(line);
		}
		if (!found) return false;
		content = lines.join('\n');
	}
	if (!content.trim()) return false;
	if (silent) return true;
	state.line = next;
	const token = state.push('math_block', 'math', 0);
	token.block = true;
	token.content = content.trim();
	token.markup = open;
	token.info = close;
	token.map = [startLine, next];
	return true;
}

/**
 * Per inline state and range end: from which position on no (valid) closer exists. Candidates'
 * validity does not depend on the opener, so one failed scan answers every later opener, which
 * keeps a paragraph full of unmatched `$` linear.
 */
const absentFrom = new WeakMap<StateInline, Map<string, number>>();

function knownAbsent(state: StateInline, key: string, from: number): boolean {
	const at = absentFrom.get(state)?.get(`${key}@${state.posMax}`);
	return at !== undefined && from >= at;
}

function markAbsent(state: StateInline, key: string, from: number): void {
	let memo = absentFrom.get(state);
	if (!memo) absentFrom.set(state, (memo = new Map()));
	const k = `${key}@${state.posMax}`;
	memo.set(k, Math.min(from, memo.get(k) ?? Infinity));
}

function findCloser(state: StateInline, closer: string, from: number): number {
	if (knownAbsent(state, closer, from)) return -1;
	const at = state.src.indexOf(closer, from);
	if (at < 0 || at + closer.length > state.posMax) {
		markAbsent(state, closer, from);
		return -1;
	}
	return at;
}

/** Silent or not, a rule that matched must move past the match: a link label is scanned silently. */
function matchMath(state: StateInline, silent: boolean, type: string, content: string, open: string, close: string, end: number): boolean {
	if (!silent) {
		const token = state.push(type, 'math', 0);
		token.content = content;
		token.markup = open;
		token.info = close;
	}
	state.pos = end;
	return true;
}

function mathInline(state: StateInline, silent: boolean): boolean {
	const src = state.src;
	const pos = state.pos;
	const ch = src.charCodeAt(pos);
	if (ch === 0x5c /* \ */) {
		const next = src.charCodeAt(pos + 1);
		if (next !== 0x28 /* ( */ && next !== 0x5b /* [ */) return false;
		const close = next === 0x28 ? '\\)' : '\\]';
		const end = findCloser(state, close, pos + 2);
		if (end < 0) return false;
		const content = src.slice(pos + 2, end);
		if (!content.trim()) return false;
		return matchMath(state, silent, next === 0x28 ? 'math_inline' : 'math_inline_display', content.trim(), src.slice(pos, pos + 2), close, end + 2);
	}
	if (ch !== 0x24 /* $ */) return false;
	if (src.charCodeAt(pos + 1) === 0x24) {
		const end = findCloser(state, '$$', pos + 2);
		if (end < 0) return false;
		const content = src.slice(pos + 2, end);
		if (!content.trim()) return false;
		return matchMath(state, silent, 'math_inline_display', content.trim(), '$$', '$$', end + 2);
	}
	if (pos + 1 >= state.posMax || isWhitespace(src.charCodeAt(pos + 1))) return false;
	if (knownAbsent(state, 'valid$', pos + 1)) return false;
	let from = pos + 1;
	for (;;) {
		const end = findCloser(state, '$', from);
		if (end < 0) {
			markAbsent(state, 'valid$', pos + 1);
			return false;
		}
		const before = src.charCodeAt(end - 1);
		const after = src.charCodeAt(end + 1);
		if (before === 0x5c || isWhitespace(before) || (after >= 0x30 && after <= 0x39)) {
			from = end + 1;
			continue;
		}
		return matchMath(state, silent, 'math_inline', src.slice(pos + 1, end), '$', '$', end + 1);
	}
}

export function mathSyntax(md: MarkdownIt): void {
	md.block.ruler.before('fence', 'math_block', mathBlock, { alt: ['paragraph', 'reference', 'blockquote', 'list'] });
	md.inline.ruler.before('escape', 'math_inline', mathInline);
}
