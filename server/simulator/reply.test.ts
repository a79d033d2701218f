import { describe, expect, it } from 'vitest';
import { splitIntoCharacters, splitIntoPieces, splitWithBigFirst } from './pieces';
import { generateReply } from './reply';

describe('generateReply', () => {
	it('is a pure function of seed, model and prompt', () => {
		const input = { seed: 42, model: 'sim/gpt-like', prompt: 'Explain backpressure' };
		expect(generateReply(input)).toBe(generateReply({ ...input }));
		expect(generateReply({ ...input, seed: 43 })).not.toBe(generateReply(input));
		expect(generateReply({ ...input, model: 'sim/sonnet-like' })).not.toBe(generateReply(input));
		expect(generateReply({ ...input, prompt: 'Explain caching' })).not.toBe(generateReply(input));
	});

	it('writes 300–800 characters of markdown by default', () => {
		for (let seed = 0; seed < 300; seed++) {
			const text = generateReply({ seed, model: 'sim/echo-mini', prompt: `question ${seed}` });
			expect(text.length).toBeGreaterThanOrEqual(300);
			expect(text.length).toBeLessThanOrEqual(800);
		}
	});

	it('uses headings, lists, a fenced code block, a table, emphasis and links', () => {
		const text = generateReply({ seed: 1, model: 'sim/gpt-like', prompt: 'hello' });
		expect(text).toMatch(/^## /m);
		expect(text).toMatch(/^- /m);
		expect(text).toMatch(/^1\. /m);
		expect(text).toMatch(/^```ts\n[\s\S]*?\n```$/m);
		expect(text).toMatch(/^\| --- \| ---: \| ---: \|$/m);
		expect(text).toMatch(/\*\*[^*]+\*\*/);
		expect(text).toMatch(/(^|[^*])\*[^*]+\*([^*]|$)/);
		expect(text).toMatch(/\[[^\]]+\]\(https:\/\/[^)]+\)|`[a-zé]+\(\)`/);
	});

	it('reaches an exact requested length, 130k included, deterministically', () => {
		const input = { seed: 7, model: 'sim/sonnet-like', prompt: 'long', length: 130_000 };
		const text = generateReply(input);
		expect(text.length).toBe(130_000);
		expect(generateReply(input)).toBe(text);
		expect(text.match(/^```ts$/gm)?.length ?? 0).toBeGreaterThan(20);
		for (const length of [0, 1, 50, 799, 801, 5_000]) {
			expect(generateReply({ ...input, length }).length).toBe(length);
		}
	});

	it('echoes the prompt verbatim on request', () => {
		expect(generateReply({ seed: 1, model: 'm', prompt: '<b>raw</b>', echo: true })).toBe('<b>raw</b>');
	});

	it('never emits characters outside the BMP, so slicing is safe', () => {
		const text = generateReply({ seed: 3, model: 'm', prompt: 'p', length: 20_000 });
		expect(/[\uD800-\uDFFF]/.test(text)).toBe(false);
	});
});

describe('stream pieces', () => {
	const text = generateReply({ seed: 5, model: 'sim/free', prompt: 'pieces' });

	it('are a few characters to a word and join back to the text', () => {
		const pieces = splitIntoPieces(text);
		expect(pieces.join('')).toBe(text);
		expect(pieces.length).toBeGreaterThan(text.length / 12);
		for (const piece of pieces) expect(piece.trim().length).toBeLessThanOrEqual(6);
	});

	it('can be single characters (trickle) or start with one big piece (big-event)', () => {
		expect(splitIntoCharacters('añb')).toEqual(['a', 'ñ', 'b']);
		const big = splitWithBigFirst(text, 100);
		expect(big[0]).toBe(text.slice(0, 100));
		expect(big.join('')).toBe(text);
	});
});
