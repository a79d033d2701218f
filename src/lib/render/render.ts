import { whenSettled } from './lazy';
import { codeBlockTokens, createEnv, md, type RenderContext } from './markdown';
import { sanitizeHtml } from './sanitize';

export interface RenderResult {
	/** Sanitized HTML: insert it with `mountRendered` (mount.ts), never as a trusted string elsewhere. */
	html: string;
	/** How many `<pre data-code-index>` blocks it holds (indices 0 … codeBlocks − 1). */
	codeBlocks: number;
	/**
	 * Non-null when a lazy renderer (highlight.js grammar, KaTeX) this text needs was not loaded
	 * yet: the html shows those parts plain; when the promise resolves, render again.
	 */
	pending: Promise<void> | null;
}

/** markdown-it's own normalisation, applied up front so the streaming renderer counts the same lines. */
export function normalizeSource(text: string): string {
	return text.replace(/\r\n?/g, '\n').replace(/\0/g, '\uFFFD');
}

/** One-shot render of a whole reply: markdown-it → sanitizer, synchronously. */
export function renderMarkdown(source: string): RenderResult {
	const context: RenderContext = { codeIndex: 0, needs: new Set(), streaming: false };
	const env = createEnv(context);
	const tokens = md.parse(normalizeSource(source), env);
	const html = sanitizeHtml(md.renderer.render(tokens, md.options, env));
	return { html, codeBlocks: context.codeIndex, pending: context.needs.size ? whenSettled(context.needs) : null };
}

/**
 * The exact text of code block `index` (`data-code-index`) of a reply: what a copy button copies,
 * never the highlighted HTML. Null when there is no such block.
 */
export function codeBlockText(source: string, index: number): string | null {
	const context: RenderContext = { codeIndex: 0, needs: new Set(), streaming: false };
	const blocks = codeBlockTokens(md.parse(normalizeSource(source), createEnv(context)));
	return blocks[index]?.content ?? null;
}
