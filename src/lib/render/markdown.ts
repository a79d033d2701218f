import MarkdownItFactory from 'markdown-it';
import type { Env, MarkdownIt, StateBlock, StateCore, Token } from 'markdown-it';
import { highlightCode, renderTex } from './lazy';
import { mathSyntax } from './math-syntax';
import { isSafeUrl, languageId } from './url';

/**
 * The one markdown-it instance: `html: false` (raw HTML in a reply is text), linkify on,
 * typographer off, GFM tables and strikethrough (built in), task lists, math delimiters.
 * Its HTML is not trusted as such: every caller sends it through `sanitizeHtml` (sanitize.ts).
 */

/** Per-render state passed through markdown-it's env. */
export interface RenderContext {
	/** Index of the next code block (`<pre data-code-index>`), counted across the whole reply. */
	codeIndex: number;
	/** Lazy renderers this render wanted but did not have (`math`, `hl:<grammar>`). */
	needs: Set<string>;
	/** The text may end in the middle of a line: a fence "closed" by that last line is not final. */
	streaming: boolean;
}

const CONTEXT = Symbol('phosphor-render-context');

export function createEnv(context: RenderContext, references?: Env['references']): Env {
	const env: Env = { [CONTEXT]: context };
	if (references) env.references = references;
	return env;
}

function contextOf(env: Env | undefined): RenderContext {
	const context = env?.[CONTEXT] as RenderContext | undefined;
	if (!context) throw new Error('render: markdown-it called without a render context');
	return context;
}

function countLines(text: string): number {
	if (!text) return 0;
	let n = 0;
	for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) n++;
	return text.endsWith('\n') ? n : n + 1;
}

/** Marks each fence closed or not: only closed fences are highlighted (an open one is still growing). */
function fenceClosure(state: StateCore): void {
	const context = contextOf(state.env);
	let lastIncompleteLine = -1;
	if (context.streaming && !state.src.endsWith('\n')) lastIncompleteLine = countLines(state.src) - 1;
	for (const token of state.tokens) {
		if (token.type !== 'fence' || !token.map) continue;
		const [start, end] = token.map;
		// opener + content lines + closer: a fence that ran to the end of its container has no closer.
		const closed = end - start - 1 - countLines(token.content) === 1 && end - 1 !== lastIncompleteLine;
		token.meta = { ...token.meta, closed };
	}
}

const TASK = /^\[([ xX])\](?=[ \t]|$)/;

/**
 * GFM task list items become ☐/☑ characters, not checkboxes (a form control drawn by a reply), and
 * images inside links are marked (a link inside a link would be torn apart by the HTML parser).
 */
function taskItemsAndImages(state: StateCore): void {
	const tokens = state.tokens;
	for (let i = 0; i < tokens.length; i++) {
		const token = tokens[i]!;
		if (token.type === 'inline' && token.children) markImagesInLinks(token.children);
		if (token.type !== 'list_item_open') continue;
		const paragraph = tokens[i + 1];
		const inline = tokens[i + 2];
		const first = inline?.children?.[0];
		if (paragraph?.type !== 'paragraph_open' || inline?.type !== 'inline' || first?.type !== 'text') continue;
		const match = TASK.exec(first.content);
		if (!match) continue;
		first.content = first.content.slice(match[0].length).replace(/^[ \t]/, '');
		const marker = new state.Token('task_marker', 'span', 0);
		marker.meta = { checked: match[1] !== ' ' };
		inline.children!.unshift(marker);
		token.attrJoin('class', 'md-task-item');
	}
}

function markImagesInLinks(children: Token[]): void {
	let depth = 0;
	for (const child of children) {
		if (child.type === 'link_open') depth++;
		else if (child.type === 'link_close') depth--;
		else if (child.type === 'image' && depth > 0) child.meta = { ...child.meta, inLink: true };
	}
}

/**
 * markdown-it stops parsing at its nesting limit and drops every remaining line of the container
 * (for `- - - - …` two hundred deep: the rest of the reply). A few levels before the limit, this
 * rule takes over and shows the lines as a plain paragraph instead: deep nesting is flattened,
 * never swallowed.
 */
function nestingGuard(state: StateBlock, startLine: number, endLine: number, silent: boolean): boolean {
	if (silent || state.level < state.md.options.maxNesting - NESTING_MARGIN) return false;
	let next = startLine + 1;
	while (next < endLine && !state.isEmpty(next) && state.sCount[next]! >= state.blkIndent) next++;
	const open = state.push('paragraph_open', 'p', 1);
	open.map = [startLine, next];
	const inline = state.push('inline', '', 0);
	inline.content = state.getLines(startLine, next, state.blkIndent, false).trim();
	inline.map = [startLine, next];
	inline.children = [];
	state.push('paragraph_close', 'p', -1);
	state.line = next;
	return true;
}
const NESTING_MARGIN = 4;

function createMarkdownIt(): MarkdownIt {
	const md = new MarkdownItFactory({ html: false, linkify: true, typographer: false, breaks: false, xhtmlOut: false });
	// Belt and braces: the sanitiser checks links again with the same rule.
	md.validateLink = isSafeUrl;
	md.use(mathSyntax);
	md.block.ruler.before('table', 'phosphor_nesting_guard', nestingGuard);
	const escapeHtml = md.utils.escapeHtml;
	md.core.ruler.after('block', 'phosphor_fence_closure', fenceClosure);
	md.core.ruler.after('inline', 'phosphor_tasks_images', taskItemsAndImages);

	const rules = md.renderer.rules;

	// Code: `<pre data-code-index="n" data-lang="id">` — the UI overlays a copy button per index and
	// copies `codeBlockText(source, n)`; the language id is validated ([a-z0-9+#-]{1,20}) or dropped.
	rules.fence = (tokens, idx, _options, env) => {
		const token = tokens[idx]!;
		const context = contextOf(env);
		const index = context.codeIndex++;
		const lang = languageId(md.utils.unescapeAll(token.info));
		const highlighted = lang && token.meta?.closed === true ? highlightCode(token.content, lang, context.needs) : null;
		const body = highlighted ?? escapeHtml(token.content);
		const codeClass = lang ? ` class="language-${lang}${highlighted !== null ? ' hljs' : ''}"` : '';
		const dataLang = lang ? ` data-lang="${lang}"` : '';
		return `<pre data-code-index="${index}"${dataLang}><code${codeClass}>${body}</code></pre>\n`;
	};
	rules.code_block = (tokens, idx, _options, env) => {
		const index = contextOf(env).codeIndex++;
		return `<pre data-code-index="${index}"><code>${escapeHtml(tokens[idx]!.content)}</code></pre>\n`;
	};

	// Images are never fetched: a link to the image (alt text and a 🖼), opened only by a click.
	rules.image = (tokens, idx, options, env, renderer) => {
		const token = tokens[idx]!;
		const src = String(token.attrGet('src') ?? '');
		const title = token.attrGet('title');
		const alt = renderer.renderInlineAsText(token.children ?? [], options, env);
		const label = `🖼 ${escapeHtml(alt || src)}`;
		if (token.meta?.inLink === true) return `<span class="md-image">${label}</span>`;
		const titleAttr = title ? ` title="${escapeHtml(String(title))}"` : '';
		return `<a href="${escapeHtml(src)}" class="md-image"${titleAttr}>${label}</a>`;
	};

	rules.task_marker = (tokens, idx) =>
		tokens[idx]!.meta?.checked === true ? '<span class="md-task md-task-done">☑</span> ' : '<span class="md-task">☐</span> ';

	// Tables: a scroll wrapper, and alignment as a class (markdown-it writes `style`, which is forbidden).
	rules.table_open = () => '<div class="md-table"><table>\n';
	rules.table_close = () => '</table></div>\n';
	const cell: NonNullable<typeof rules.th_open> = (tokens, idx) => {
		const token = tokens[idx]!;
		const align = /text-align:(left|center|right)/.exec(String(token.attrGet('style') ?? ''))?.[1];
		return `<${token.tag}${align ? ` class="md-align-${align}"` : ''}>`;
	};
	rules.th_open = cell;
	rules.td_open = cell;

	// Math: KaTeX MathML when loaded, else the TeX source as code (first paint, or KaTeX unavailable).
	const math = (display: boolean, inline: boolean): NonNullable<typeof rules.th_open> => {
		return (tokens, idx, _options, env) => {
			const token = tokens[idx]!;
			const rendered = renderTex(token.content, display, contextOf(env).needs);
			if (!inline) {
				return rendered !== null
					? `<div class="md-math md-math-block">${rendered}</div>\n`
					: `<pre class="md-math md-tex"><code>${escapeHtml(`${token.markup}\n${token.content}\n${token.info}`)}</code></pre>\n`;
			}
			const cls = display ? 'md-math md-math-display' : 'md-math';
			return rendered !== null
				? `<span class="${cls}">${rendered}</span>`
				: `<code class="${cls} md-tex">${escapeHtml(token.markup + token.content + token.info)}</code>`;
		};
	};
	rules.math_block = math(true, false);
	rules.math_inline = math(false, true);
	rules.math_inline_display = math(true, true);
	return md;
}

export const md = createMarkdownIt();

/** The source of every code block (fenced or indented) in document order: what `data-code-index` counts. */
export function codeBlockTokens(tokens: Token[]): Token[] {
	return tokens.filter((t) => t.type === 'fence' || t.type === 'code_block');
}
