// @vitest-environment jsdom
import { describe, expect, it } from 'vitest';
import { codeBlockText, mountRendered, renderMarkdown, sanitizeHtml } from './index';
import { isSafeUrl, languageId } from './url';

/** Renders into a detached container the way the app does and returns it. */
function dom(markdown: string): HTMLElement {
	const container = document.createElement('div');
	mountRendered(container, renderMarkdown(markdown).html);
	return container;
}

const FORBIDDEN = 'script, style, form, input, button, textarea, select, iframe, object, embed, base, meta, link, img, svg, title, noscript, xmp, plaintext';

/** No element with an on* or style attribute, no forbidden element, every href allowed. */
function expectSafe(container: Element): void {
	expect(container.querySelectorAll(FORBIDDEN)).toHaveLength(0);
	for (const el of container.querySelectorAll('*')) {
		for (const attr of el.attributes) {
			expect(attr.name.startsWith('on'), `${el.tagName} ${attr.name}`).toBe(false);
			expect(['style', 'src', 'srcdoc', 'action', 'formaction', 'xlink:href', 'id', 'name']).not.toContain(attr.name);
			if (attr.name === 'href') expect(isSafeUrl(attr.value), attr.value).toBe(true);
		}
	}
}

describe('markdown features', () => {
	it('renders GFM tables with alignment as classes, never style', () => {
		const c = dom('| a | b | c |\n|:--|:-:|--:|\n| 1 | 2 | 3 |\n');
		expect(c.querySelector('.md-table > table > thead > tr > th.md-align-left')?.textContent).toBe('a');
		expect(c.querySelector('th.md-align-center')?.textContent).toBe('b');
		expect(c.querySelector('td.md-align-right')?.textContent).toBe('3');
		expect(c.querySelectorAll('[style]')).toHaveLength(0);
	});

	it('renders strikethrough, emphasis, headings, quotes, lists and rules', () => {
		const c = dom('# Title\n\n~~gone~~ **bold** *it*\n\n> quote\n\n1. one\n2. two\n\n3. three\n\n---\n');
		expect(c.querySelector('h1')?.textContent).toBe('Title');
		expect(c.querySelector('s')?.textContent).toBe('gone');
		expect(c.querySelector('strong')?.textContent).toBe('bold');
		expect(c.querySelector('blockquote p')?.textContent).toBe('quote');
		expect(c.querySelectorAll('ol li')).toHaveLength(3);
		expect(c.querySelector('hr')).not.toBeNull();
	});

	it('keeps an ordered list start number', () => {
		expect(dom('7. seven\n8. eight\n').querySelector('ol')?.getAttribute('start')).toBe('7');
	});

	it('renders task list items as ☐/☑ characters, not checkboxes', () => {
		const c = dom('- [ ] todo\n- [x] done\n- [X] also\n- [] not a task\n');
		expect(c.querySelectorAll('input')).toHaveLength(0);
		const items = [...c.querySelectorAll('li')].map((li) => li.textContent);
		expect(items).toEqual(['☐ todo', '☑ done', '☑ also', '[] not a task']);
		expect(c.querySelectorAll('li.md-task-item')).toHaveLength(3);
		expect(c.querySelectorAll('.md-task-done')).toHaveLength(2);
	});

	it('renders task items in loose lists too', () => {
		const c = dom('- [x] one\n\n- [ ] two\n');
		expect([...c.querySelectorAll('li')].map((li) => li.textContent?.trim())).toEqual(['☑ one', '☐ two']);
	});
});

describe('code blocks', () => {
	it('labels a valid language and numbers every code block, fenced or indented', () => {
		const source = '```TypeScript\nconst a = 1;\n```\n\ntext\n\n    indented\n\n~~~c++\nint x;\n~~~\n';
		const r = renderMarkdown(source);
		expect(r.codeBlocks).toBe(3);
		const c = dom(source);
		const pres = [...c.querySelectorAll('pre')];
		expect(pres.map((p) => p.dataset.codeIndex)).toEqual(['0', '1', '2']);
		expect(pres.map((p) => p.dataset.lang ?? null)).toEqual(['typescript', null, 'c++']);
		expect(pres[0]?.querySelector('code')?.className).toMatch(/^language-typescript/);
		expect(c.querySelectorAll('button')).toHaveLength(0);
	});

	it('gives back the exact source text of block n for copying', () => {
		const source = 'intro\n\n```js\nconst s = "<b>&amp;</b>";\n\tindented();\n```\n\n- item\n\n  ```\n  in a list\n  ```\n\npara\n\n    four spaces\n';
		expect(codeBlockText(source, 0)).toBe('const s = "<b>&amp;</b>";\n\tindented();\n');
		expect(codeBlockText(source, 1)).toBe('in a list\n');
		expect(codeBlockText(source, 2)).toBe('four spaces\n');
		expect(codeBlockText(source, 3)).toBeNull();
		// The rendered text is the same characters.
		expect(dom(source).querySelector('pre[data-code-index="0"]')?.textContent).toBe('const s = "<b>&amp;</b>";\n\tindented();\n');
	});

	it('never puts an attacker-controlled language label into an attribute', () => {
		for (const info of ['" onmouseover=alert(1) x', '<script>', 'js" onclick="alert(1)', "x'><img src=x onerror=alert(1)>", 'a'.repeat(21), 'py&#34;onmouseover=alert(1)', 'JS<svg>']) {
			const c = dom('```' + info + '\ncode\n```\n\nEND');
			expectSafe(c);
			const pre = c.querySelector('pre')!;
			expect(pre.hasAttribute('data-lang'), info).toBe(false);
			expect(pre.querySelector('code')?.hasAttribute('class'), info).toBe(false);
			expect(c.textContent).toContain('END');
		}
	});

	it('accepts only [a-z0-9+#-]{1,20} language ids', () => {
		expect(languageId('python {.class}')).toBe('python');
		expect(languageId('C#')).toBe('c#');
		expect(languageId('objective-c')).toBe('objective-c');
		expect(languageId('"x')).toBeNull();
		expect(languageId('a_b')).toBeNull();
		expect(languageId('')).toBeNull();
	});
});

describe('links', () => {
	it('keeps http(s), mailto and relative links and opens them safely', () => {
		const c = dom('[a](https://example.com/x?y=1) [b](http://e.org) [c](mailto:x@example.com) [d](/path) [e](#frag) [f](../up) <https://auto.example> x@example.com');
		const links = [...c.querySelectorAll('a')];
		expect(links.map((a) => a.getAttribute('href'))).toEqual([
			'https://example.com/x?y=1',
			'http://e.org',
			'mailto:x@example.com',
			'/path',
			'#frag',
			'../up',
			'https://auto.example',
			'mailto:x@example.com'
		]);
		for (const a of links) {
			expect(a.getAttribute('rel')).toBe('noopener noreferrer');
			expect(a.getAttribute('target')).toBe('_blank');
		}
	});

	it('refuses javascript:, vbscript:, data:text/html and other schemes, however spelled', () => {
		const refused = [
			'[a](javascript:alert(1))',
			'[a](JaVaScRiPt:alert(1))',
			'[a](&#106;avascript:alert(1))',
			'[a](&#x6A;avascript&#58;alert(1))',
			'[a](javascript&colon;alert(1))',
			'[a]( javascript:alert(1))',
			'[a](<java script:alert(1)>)',
			'[a](vbscript:msgbox(1))',
			'[a](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)',
			'[a](data:image/svg+xml;base64,PHN2Zz4=)',
			'[a](file:///etc/passwd)',
			'[a](blob:https://x/1)',
			'<javascript:alert(1)>',
			'<vbscript:alert(1)>',
			'<data:text/html,<script>alert(1)</script>>'
		];
		for (const md of refused) {
			const c = dom(md + '\n\nEND');
			expectSafe(c);
			for (const a of c.querySelectorAll('a')) expect(a.getAttribute('href')?.toLowerCase(), md).not.toMatch(/^(javascript|vbscript|data:text|file|blob)/);
			expect(c.textContent).toContain('END');
		}
	});

	it('resolves a %-encoded scheme as a harmless relative link', () => {
		const href = dom('[a](%6Aavascript:alert(1))').querySelector('a')?.getAttribute('href');
		expect(href).toBe('%6Aavascript:alert(1)');
		expect(new URL(href!, 'https://app.example/c/1').protocol).toBe('https:');
	});

	it('ignores link reference definitions with a refused scheme', () => {
		// A refused definition is not a definition: it stays paragraph text (which then cannot be
		// interrupted by the next definition either), so each gets its own paragraph here.
		const c = dom('[x]: javascript:alert(1)\n\n[y]: <vbscript:alert(1)>\n\n[w]: &#106;avascript:alert(1)\n\n[z]: /ok "T"\n\n[x] [y] [w] [z] [link][x]\n');
		expectSafe(c);
		const links = [...c.querySelectorAll('a')];
		expect(links.map((a) => a.getAttribute('href'))).toEqual(['/ok']);
		expect(links[0]?.getAttribute('title')).toBe('T');
	});

	it('parses nested brackets and keeps entities as text', () => {
		const c = dom('[a [b] c](https://q.example) &lt;script&gt; &amp;amp; &#x3C;b&#x3E;');
		expect(c.querySelector('a')?.textContent).toBe('a [b] c');
		expect(c.querySelectorAll('script, b')).toHaveLength(0);
		expect(c.textContent).toContain('<script> &amp; <b>');
	});

	it('links bare URLs (linkify) and still checks their scheme', () => {
		const c = dom('see https://example.com/a and javascript:alert(1) and mailto:x@y.z');
		expectSafe(c);
		expect([...c.querySelectorAll('a')].map((a) => a.getAttribute('href'))).toEqual(['https://example.com/a', 'mailto:x@y.z']);
	});
});

describe('images are links, never fetched', () => {
	it('renders an image as a link with its alt text', () => {
		const c = dom('![a chart](https://example.com/c.png "Title")');
		expect(c.querySelectorAll('img')).toHaveLength(0);
		const a = c.querySelector('a.md-image');
		expect(a?.getAttribute('href')).toBe('https://example.com/c.png');
		expect(a?.textContent).toBe('🖼 a chart');
		expect(a?.getAttribute('title')).toBe('Title');
	});

	it('allows raster data: images as links, refuses svg and javascript sources', () => {
		const c = dom('![p](data:image/png;base64,iVBORw0KGgo=) ![s](data:image/svg+xml;base64,PHN2Zz4=) ![j](javascript:alert(1)) ![r](x.png)');
		expectSafe(c);
		expect([...c.querySelectorAll('a')].map((a) => a.getAttribute('href'))).toEqual(['data:image/png;base64,iVBORw0KGgo=', 'x.png']);
	});

	it('an image inside a link stays inside that one link', () => {
		const c = dom('[![badge](https://img.example/b.png)](https://example.com)');
		const links = c.querySelectorAll('a');
		expect(links).toHaveLength(1);
		expect(links[0]?.getAttribute('href')).toBe('https://example.com');
		expect(links[0]?.textContent).toBe('🖼 badge');
	});
});

describe('raw HTML is text', () => {
	it('shows tags as text and creates no element from them', () => {
		const c = dom('<b>bold</b> <img src=x onerror=alert(1)> <script>alert(1)</script>\n\n<div onclick="x()">block</div>\n');
		expectSafe(c);
		expect(c.querySelectorAll('b, div')).toHaveLength(0);
		expect(c.textContent).toContain('<b>bold</b> <img src=x onerror=alert(1)> <script>alert(1)</script>');
		expect(c.textContent).toContain('<div onclick="x()">block</div>');
	});

	for (const opener of ['<!--', '<noscript>', '<textarea>', '<title>', '<style>', '<xmp>', '<plaintext>', '<iframe>', '<noembed>', '<script>', '<svg><style>', '<template>', '<select>', '<![CDATA[']) {
		it(`an unclosed ${opener} in the middle swallows nothing`, () => {
			const c = dom(`Before ${opener} inside\n\nAfter paragraph\n\n- list item\n\n\`\`\`js\ncode();\n\`\`\`\n\nEND-MARK`);
			expectSafe(c);
			expect(c.querySelectorAll('p')).toHaveLength(3);
			expect(c.querySelector('li')?.textContent).toBe('list item');
			expect(c.querySelector('pre')?.textContent).toBe('code();\n');
			expect(c.textContent).toContain(`Before ${opener} inside`);
			expect(c.lastElementChild?.textContent).toBe('END-MARK');
		});
	}

	it('no form, button, input or style from a reply', () => {
		const c = dom('<form action=/x><input name=a><button>Go</button></form>\n\n<style>body{display:none}</style>\n\nEND');
		expectSafe(c);
		expect(c.textContent).toContain('<button>Go</button>');
		expect(c.textContent).toContain('END');
	});
});

describe('the sanitizer (second wall)', () => {
	it('strips what markdown-it would never emit, if it ever did', () => {
		const out = sanitizeHtml(
			'<p onclick="x()" style="color:red" id="a" class="md-task evil hljs-string">t</p>' +
				'<a href="javascript:alert(1)">j</a><a href=" java\tscript:alert(1)">k</a><a href="https://ok.example" target="_top">ok</a>' +
				'<img src=x onerror=alert(1)><form><input><button>b</button><textarea>t</textarea><select></select></form>' +
				'<style>*{}</style><svg><script>alert(1)</script></svg><math><mi xlink:href="javascript:alert(1)">m</mi></math>' +
				'<iframe srcdoc="<script>alert(1)</script>"></iframe><object data="x"></object><embed src="x"><base href="//evil/"><meta http-equiv="refresh" content="0;url=javascript:alert(1)"><link rel=stylesheet href=x>' +
				'<math><annotation-xml encoding="text/html"><img src=x onerror=alert(1)></annotation-xml></math><span data-x="1" aria-label="a" title="ok">s</span>'
		);
		const c = document.createElement('div');
		mountRendered(c, out);
		expectSafe(c);
		expect(c.querySelector('p')?.getAttribute('class')).toBe('md-task hljs-string');
		expect([...c.querySelectorAll('a')].map((a) => [a.getAttribute('href'), a.getAttribute('target')])).toEqual([
			[null, null],
			[null, null],
			['https://ok.example', '_blank']
		]);
		expect(c.querySelector('span')?.getAttributeNames()).toEqual(['title']);
		expect(c.querySelector('mi')?.hasAttribute('xlink:href')).toBe(false);
	});

	it('allows only http(s), mailto, relative and raster data: URLs', () => {
		for (const ok of ['https://a.b', 'HTTP://a.b', 'mailto:a@b.c', '/x', '#y', '?q', 'x/y', '//cdn.example/x', 'data:image/png;base64,AA', 'data:image/webp,AA'])
			expect(isSafeUrl(ok), ok).toBe(true);
		for (const bad of ['javascript:x', ' javascript:x', 'java\tscript:x', 'java\nscript:x', '\u0000javascript:x', 'JAVASCRIPT:x', 'vbscript:x', 'data:text/html,x', 'data:image/svg+xml,x', 'file:///x', 'blob:x', 'tel:1', 'ftp://x'])
			expect(isSafeUrl(bad), bad).toBe(false);
	});
});

describe('pathological input', () => {
	it('flattens nesting deeper than markdown-it allows instead of dropping the rest', () => {
		for (const deep of ['- '.repeat(200) + 'inside', '>'.repeat(300) + ' inside', '1. '.repeat(120) + 'inside', '> - '.repeat(80) + 'inside']) {
			const c = dom(`${deep} <img src=x onerror=alert(1)>\n\nafter\n\nEND`);
			expectSafe(c);
			expect(c.textContent, deep.slice(0, 10)).toContain('inside <img src=x onerror=alert(1)>');
			expect(c.textContent).toContain('after');
			expect(c.lastElementChild?.textContent).toBe('END');
		}
	});

	it('stays fast on long runs of brackets, dollars and emphasis', () => {
		const started = performance.now();
		for (const text of ['['.repeat(5000) + '](x)', '$'.repeat(5000) + 'x', '$a '.repeat(3000), '*a '.repeat(3000), '\\('.repeat(3000), '`'.repeat(3000)]) {
			expect(dom(`${text}\n\nEND`).textContent).toContain('END');
		}
		expect(performance.now() - started).toBeLessThan(5000);
	});
});
