// @vitest-environment jsdom
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { longReply } from './fixtures/long-reply';
import { createStreamRenderer, createStreamView, preloadRenderers, renderMarkdown, sanitizeHtml, type StreamRenderer } from './index';

/** Markdown-ish lines chosen to hit every construct whose extent depends on what follows. */
const LINES = [
	'', '', '', ' ', '\t', 'text', 'more text here', 'a | b', '| a | b |', '|---|:-:|', '--|--', '| 1 | 2 |', '# head', '## sub',
	'===', '---', '***', '- item', '- [ ] task', '- [x] done', '* star', '+ plus', '1. one', '2) two', '3. three', '  - nested',
	'   continued', '    indented code', '> quote', '>', '> - quoted item', '```', '```js', '```python x', '~~~', '````',
	'$$', '$$ x^2 $$', '\\[', '\\]', 'x = 1', '$a$ and $b$', '$5 and $6', '\\(y\\)', '[ref]: https://r.example "t"',
	'[ref]', '[Ref][]', '[text][ref]', '[other]: /o', '[other]', '![img](https://i.example/a.png)', '![ref]', '<b>raw</b>',
	'<!--', '-->', '<noscript>', '&amp; &#106;', 'https://auto.example', '<https://a.example>', '**bold', 'end**', '`code',
	'tick`', '\\', 'line with trailing  ', 'x\r', '\r\n', '--|--x', '|---|---x', '-', '1.', '- ', '[', '](/u)', '][ref]',
	'[$a$](/m)', '[\\(y\\) $$z$$]'
];

const markdownish = fc
	.array(fc.tuple(fc.constantFrom(...LINES), fc.constantFrom('\n', '\n', '\n', '\n\n', ' ', '')), { maxLength: 40 })
	.map((parts) => parts.map(([line, sep]) => line + sep).join(''));

/** A text and the points where it is split into chunks. */
const splitText = markdownish.chain((text) =>
	fc.tuple(fc.constant(text), fc.uniqueArray(fc.integer({ min: 1, max: Math.max(1, text.length - 1) }), { maxLength: 25 }))
);

function chunks(text: string, cuts: number[]): string[] {
	const points = [...new Set(cuts)].filter((c) => c > 0 && c < text.length).sort((a, b) => a - b);
	const out: string[] = [];
	let from = 0;
	for (const p of points) {
		out.push(text.slice(from, p));
		from = p;
	}
	out.push(text.slice(from));
	return out;
}

function stream(text: string, cuts: number[]): StreamRenderer {
	const s = createStreamRenderer();
	for (const chunk of chunks(text, cuts)) s.append(chunk);
	s.finish();
	return s;
}

describe('incremental rendering equals the one-shot render', () => {
	it('for examples that stress block boundaries', () => {
		const cases = [
			'- a\n\n- b\n\nafter\n',
			'- a\n\n  continued\n\n- b\n',
			'para\n- list interrupts\n\nnext\n',
			'[x]\n\nmiddle\n\n[x]: https://late.example\n\nend [x]\n',
			'[x]: /first\n\n[x]: /second\n\n[x]\n',
			'```js\ncode\n\nmore\n```\n\nafter\n',
			'$$\nx\n\ny\n$$\n\nafter\n',
			'$$\na = b\n$$\ntext\n\n\\[\nc\n\\]\n',
			'a | b\n--|--\n1 | 2\n\ntext\n',
			'title\n===\n\n    code\n\n    more code\n\ntext',
			'> q\nlazy\n\n> q2\n\n1. a\n2. b\n\n\n3. c\n',
			'line\r\n\r\nnext\r\n',
			'```\nunclosed\n\nstill code',
			// A table's delimiter row decides whether the line above it starts a table or continues a
			// paragraph: nothing may freeze until a blank line says the paragraph is over.
			'para\na | b\n--|--x\n',
			'para\n| a | b |\n|---|---x|\n\nnext\n',
			'para\n- \n-x\n',
			'para\n1.\n1. item\n'
		];
		for (const text of cases) {
			const expected = renderMarkdown(text).html;
			for (const size of [1, 2, 3, 5, 8, 13, 1000]) {
				const s = stream(text, Array.from({ length: Math.ceil(text.length / size) }, (_, i) => (i + 1) * size));
				expect(s.html, `${JSON.stringify(text)} in ${size}-char chunks`).toBe(expected);
			}
		}
	});

	it('for random markdown and random splits (lazy renderers not loaded: plain code, TeX as code)', () => {
		fc.assert(
			fc.property(splitText, ([text, cuts]) => {
				const s = stream(text, cuts);
				expect(s.html).toBe(renderMarkdown(text).html);
				expect(s.text).toBe(text.replace(/\r\n?/g, '\n'));
			}),
			{ numRuns: 600 }
		);
	});

	it('for random markdown and random splits, with highlight.js and KaTeX loaded', async () => {
		await preloadRenderers({ math: true, languages: ['js', 'python'] });
		fc.assert(
			fc.property(splitText, ([text, cuts]) => {
				expect(stream(text, cuts).html).toBe(renderMarkdown(text).html);
			}),
			{ numRuns: 600 }
		);
	});

	it('for random runs of the characters markdown treats specially, split at random', async () => {
		await preloadRenderers({ math: true, languages: ['js'] });
		const piece = fc.constantFrom(...'[]()$\\`*_~<>!#|-+:=\n\n  \t"\'&;/.09ax{}^%', '\\(', '\\)', '\\[', '\\]', '$$', '```', '](', 'http://a.b/', '<b>', '\r\n');
		const text = fc.array(piece, { maxLength: 160 }).map((parts) => parts.join(''));
		fc.assert(
			fc.property(text.chain((t) => fc.tuple(fc.constant(t), fc.uniqueArray(fc.integer({ min: 1, max: Math.max(1, t.length - 1) }), { maxLength: 12 }))), ([t, cuts]) => {
				expect(stream(t, cuts).html).toBe(renderMarkdown(t).html);
			}),
			{ numRuns: 1500 }
		);
	});

	it('while streaming, what is frozen is final', () => {
		fc.assert(
			fc.property(splitText, ([text, cuts]) => {
				// (A frozen unit may still gain a link from a later reference definition.)
				fc.pre(!text.includes(']:'));
				const final = renderMarkdown(text).html;
				const s = createStreamRenderer();
				for (const chunk of chunks(text, cuts)) {
					s.append(chunk);
					expect(final.startsWith(s.units.map((u) => u.html).join(''))).toBe(true);
				}
			}),
			{ numRuns: 300 }
		);
	});
});

describe('text patches (an append that only grows a text run)', () => {
	const rawOf = (part: unknown) => (part as { raw: string }).raw;

	it('give exactly what sanitizing the new HTML gives, at every step', () => {
		let patched = 0;
		fc.assert(
			fc.property(splitText, ([text, cuts]) => {
				const s = createStreamRenderer();
				for (const chunk of chunks(text, cuts)) {
					s.append(chunk);
					for (const part of s.tail) expect(part.html).toBe(sanitizeHtml(rawOf(part)));
				}
				patched += s.stats.patched;
			}),
			{ numRuns: 400 }
		);
		expect(patched).toBeGreaterThan(100);
	});

	it('are what a paragraph, a list item, a table cell and an open fence mostly get', () => {
		const text = 'A paragraph that grows word by word with **bold** and `code` in it.\n\n- an item that grows\n- another one\n\n| a | b |\n|---|---|\n| cell that grows | x |\n\n```js\nconst code = "grows";\nmore();\n';
		const s = createStreamRenderer();
		const container = document.createElement('div');
		const view = createStreamView(container);
		for (const ch of text) {
			s.append(ch);
			view.update(s);
			expect(container.innerHTML).toBe(normalise(s.html));
		}
		expect(s.stats.patched).toBeGreaterThan(text.length * 0.6);
		s.finish();
		view.update(s);
		expect(container.innerHTML).toBe(normalise(renderMarkdown(text).html));
	});
});

describe('work per chunk', () => {
	const feed = (text: string, size: number) => {
		const s = createStreamRenderer();
		for (let i = 0; i < text.length; i += size) s.append(text.slice(i, i + size));
		s.finish();
		return s;
	};

	it('parses O(n) characters in total for a 130k reply in 50-char chunks, not O(n²)', () => {
		const text = longReply(130_000);
		expect(text.length).toBeGreaterThanOrEqual(130_000);
		const s = feed(text, 50);
		const n = text.length;
		const appends = Math.ceil(n / 50);
		// n²/2/50 ≈ 170M characters if every append re-parsed the whole reply.
		expect(s.stats.parsedChars).toBeLessThan(40 * n);
		// One append parses the open tail only: bounded by the longest block, not the reply.
		expect(s.stats.maxParsedPerCall).toBeLessThan(6_000);
		expect(s.stats.parsedChars / appends).toBeLessThan(2_000);
		expect(s.html).toBe(renderMarkdown(text).html);
	});

	it('four times the reply is four times the work', () => {
		const small = longReply(25_000, 7);
		const large = longReply(100_000, 7);
		const perChar = (text: string) => feed(text, 50).stats.parsedChars / text.length;
		const ratio = perChar(large) / perChar(small);
		expect(ratio).toBeGreaterThan(0.7);
		expect(ratio).toBeLessThan(1.3);
	});
});

describe('a late link definition', () => {
	it('re-renders the earlier unit that used it, and only that one', () => {
		const s = createStreamRenderer();
		s.append('See [docs].\n\nOther text.\n\nMore.\n\n');
		expect(s.units.length).toBeGreaterThanOrEqual(2);
		expect(s.units[0]?.html).not.toContain('<a');
		const before = s.stats.rerenders;
		s.append('[docs]: https://docs.example\n\nTail.\n');
		s.finish();
		expect(s.stats.rerenders).toBe(before + 1);
		expect(s.units[0]?.html).toContain('href="https://docs.example"');
		expect(s.html).toBe(renderMarkdown('See [docs].\n\nOther text.\n\nMore.\n\n[docs]: https://docs.example\n\nTail.\n').html);
	});
});

describe('createStreamView', () => {
	it('mirrors the renderer into the DOM incrementally and ends equal to the one-shot DOM', () => {
		fc.assert(
			fc.property(splitText, ([text, cuts]) => {
				const container = document.createElement('div');
				const view = createStreamView(container);
				const s = createStreamRenderer();
				for (const chunk of chunks(text, cuts)) {
					s.append(chunk);
					view.update(s);
					expect(container.innerHTML).toBe(normalise(s.html));
				}
				s.finish();
				view.update(s);
				expect(container.innerHTML).toBe(normalise(renderMarkdown(text).html));
			}),
			{ numRuns: 200 }
		);
	});

	it('keeps frozen nodes in place while the tail changes', () => {
		const container = document.createElement('div');
		const view = createStreamView(container);
		const s = createStreamRenderer();
		s.append('First paragraph.\n\nSecond ');
		s.append('paragraph.\n\nThird');
		view.update(s);
		const first = container.firstElementChild;
		expect(first?.textContent).toBe('First paragraph.');
		s.append(' paragraph grows.\n\nFourth');
		view.update(s);
		expect(container.firstElementChild).toBe(first);
		expect(container.textContent).toContain('Third paragraph grows.');
	});

	it('morphs an open block that gained markup instead of replacing all of it', () => {
		const container = document.createElement('div');
		const view = createStreamView(container);
		const s = createStreamRenderer();
		s.append('Some `code` here');
		view.update(s);
		const p = container.querySelector('p');
		const code = container.querySelector('code');
		s.append(' and **bold** too');
		view.update(s);
		expect(container.querySelector('p')).toBe(p);
		expect(container.querySelector('code')).toBe(code);
		expect(container.innerHTML).toBe('<p>Some <code>code</code> here and <strong>bold</strong> too</p>\n');
	});
});

/** innerHTML after a parse round trip (what the DOM gives back for the same markup). */
function normalise(html: string): string {
	const div = document.createElement('div');
	div.innerHTML = html;
	return div.innerHTML;
}
