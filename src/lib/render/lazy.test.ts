// @vitest-environment jsdom
import { describe, expect, it } from 'vitest';
import { createStreamRenderer, createStreamView, mountRendered, renderMarkdown, whenRenderersIdle } from './index';

// Order matters in this file: the first tests see highlight.js and KaTeX not loaded yet.

function dom(html: string): HTMLElement {
	const container = document.createElement('div');
	mountRendered(container, html);
	return container;
}

describe('first paint without the lazy renderers', () => {
	it('shows code plain and TeX as code, and says what it is waiting for', async () => {
		const text = 'Inline $E = mc^2$ and \\(a+b\\).\n\n$$\n\\int_0^1 x\\,dx\n$$\n\n```python\nprint("hi")\n```\n';
		const first = renderMarkdown(text);
		expect(first.pending).not.toBeNull();
		const c = dom(first.html);
		expect(c.querySelectorAll('math')).toHaveLength(0);
		expect([...c.querySelectorAll('.md-tex')].map((e) => e.textContent)).toEqual(['$E = mc^2$', '\\(a+b\\)', '$$\n\\int_0^1 x\\,dx\n$$']);
		expect(c.querySelector('pre[data-lang="python"] code')?.innerHTML).toBe('print("hi")\n');

		await first.pending;
		const second = renderMarkdown(text);
		expect(second.pending).toBeNull();
		const d = dom(second.html);
		expect(d.querySelectorAll('.md-math math')).toHaveLength(3);
		expect(d.querySelector('.md-math-block math')?.getAttribute('display')).toBe('block');
		expect(d.querySelectorAll('pre[data-lang="python"] code.hljs span.hljs-built_in')).toHaveLength(1);
		expect(d.querySelector('pre[data-lang="python"]')?.textContent).toBe('print("hi")\n');
		expect(d.querySelectorAll('[style]')).toHaveLength(0);
	});

	it('loads nothing for text without math or known languages', () => {
		expect(renderMarkdown('Costs $5 and $10, not math. ```text\nplain\n```').pending).toBeNull();
		expect(renderMarkdown('```brainfuck\n+++\n```\n\n```\nno lang\n```').pending).toBeNull();
	});

	it('highlights only closed fences', async () => {
		expect(renderMarkdown('```rust\nfn main() {}\n').pending).toBeNull();
		const closed = renderMarkdown('```rust\nfn main() {}\n```\n');
		expect(closed.pending).not.toBeNull();
		await closed.pending;
		expect(renderMarkdown('```rust\nfn main() {}\n```\n').html).toContain('hljs-keyword');
		expect(renderMarkdown('```rust\nfn main() {}\n').html).not.toContain('hljs');
	});
});

describe('KaTeX output through the sanitizer', () => {
	it('renders \\href, \\url, \\includegraphics and \\htmlClass as error text (trust: false)', async () => {
		await renderMarkdown('$x$').pending;
		const c = dom(
			renderMarkdown(
				'$\\href{javascript:alert(1)}{x}$ $\\url{javascript:alert(1)}$ $\\includegraphics{https://x/a.png}$ $\\htmlClass{evil}{x}$ $\\htmlStyle{color:red}{x}$ $\\htmlData{a=b}{x}$\n\nEND'
			).html
		);
		expect(c.querySelectorAll('a, [href], [style], img, [class~="evil"]')).toHaveLength(0);
		expect(c.querySelectorAll('mstyle[mathcolor="#cc0000"]')).toHaveLength(6);
		expect(c.textContent).toContain('END');
	});

	it('shows broken TeX as error text without its inline style', () => {
		const c = dom(renderMarkdown('$\\frac{1}{$ and $$\\def\\a{\\a\\a}\\a$$').html);
		const errors = c.querySelectorAll('.katex-error');
		expect(errors).toHaveLength(2);
		for (const e of errors) expect(e.hasAttribute('style')).toBe(false);
	});

	it('keeps MathML, never annotation-xml or HTML inside it', () => {
		const c = dom(renderMarkdown('$\\text{<img src=x onerror=alert(1)>}$').html);
		expect(c.querySelectorAll('img')).toHaveLength(0);
		expect(c.querySelector('mtext')?.textContent?.replace(/\u00a0/g, ' ')).toBe('<img src=x onerror=alert(1)>');
	});
});

describe('streaming with renderers that load in the middle', () => {
	it('renders units again once their renderer loads, ending equal to the one-shot render', async () => {
		const parts = ['Intro.\n\n```go\npackage main\n```\n\nSome text with $', 'y = x^3$ inline.\n\n', '$$\n\\sqrt{\\gamma}\n$$\n\nmore ', 'text\n\n```go\nfunc f() {}\n```\n\nEnd.'];
		const s = createStreamRenderer();
		const container = document.createElement('div');
		const view = createStreamView(container);
		s.append(parts[0]!);
		s.append(parts[1]!);
		view.update(s);
		const pending = s.pending;
		expect(pending).not.toBeNull();
		expect(s.html).not.toContain('hljs');
		await pending;
		expect(s.refresh()).toBe(true);
		view.update(s);
		expect(container.querySelector('pre[data-lang="go"] code.hljs')).not.toBeNull();
		s.append(parts[2]!);
		s.append(parts[3]!);
		s.finish();
		await whenRenderersIdle();
		s.refresh();
		view.update(s);
		const text = parts.join('');
		expect(s.html).toBe(renderMarkdown(text).html);
		expect(container.innerHTML).toBe(dom(renderMarkdown(text).html).innerHTML);
		expect(s.pending).toBeNull();
	});
});

describe('math inside link text', () => {
	it('renders the link with its math, never throws (a link label is scanned by silent rules)', async () => {
		await renderMarkdown('$x$').pending;
		const c = dom(renderMarkdown('[$a$ and \\(b\\)](https://x.example) [$$c$$][r] [\\[d\\]]\n\n[r]: /r\n').html);
		const links = [...c.querySelectorAll('a')];
		expect(links.map((a) => a.getAttribute('href'))).toEqual(['https://x.example', '/r']);
		expect(links[0]!.querySelectorAll('.md-math math')).toHaveLength(2);
		expect(links[1]!.querySelectorAll('.md-math math')).toHaveLength(1);
		expect(c.textContent).toContain('[');
	});
});
