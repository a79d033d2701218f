/**
 * Phosphor's reply renderer: markdown → sanitized HTML, one-shot or streamed. See README.md.
 *
 * One-shot:   const r = renderMarkdown(text); mountRendered(el, r.html);
 *             r.pending?.then(() => mountRendered(el, renderMarkdown(text).html));
 * Streaming:  const s = createStreamRenderer(); const view = createStreamView(el);
 *             on each chunk: s.append(chunk); view.update(s);   at the end: s.finish(); view.update(s);
 *             s.pending?.then(() => { s.refresh(); view.update(s); });
 * Copy:       each code block is `<pre data-code-index="n">`; copy `codeBlockText(text, n)`.
 */
export { renderMarkdown, codeBlockText, type RenderResult } from './render';
export { createStreamRenderer, type StreamRenderer, type StreamUnit, type StreamStats } from './stream';
export { mountRendered, createStreamView, type StreamView } from './mount';
export { sanitizeHtml, ALLOWED_HTML_TAGS, ALLOWED_MATHML_TAGS, ALLOWED_ATTRIBUTES } from './sanitize';
export { isSafeUrl } from './url';
export { preloadRenderers, whenRenderersIdle, KATEX_OPTIONS } from './lazy';
