import { describe, expect, it } from 'vitest';
import { billTokens, formatAttoAsUsd, parseUsdToAtto } from './cost';
import { findModel, SIM_MODELS } from './models';
import { applyMaxTokens, countPromptTokens, countTokens } from './tokens';

describe('cost math', () => {
	it('parses and formats decimal prices exactly', () => {
		expect(parseUsdToAtto('0.000003')).toBe(3_000_000_000_000n);
		expect(parseUsdToAtto('0.0000000375')).toBe(37_500_000_000n);
		expect(parseUsdToAtto('0')).toBe(0n);
		expect(parseUsdToAtto('12.5')).toBe(12_500_000_000_000_000_000n);
		expect(formatAttoAsUsd(37_500_000_000n)).toBe('0.0000000375');
		expect(formatAttoAsUsd(0n)).toBe('0');
		expect(formatAttoAsUsd(10n ** 18n)).toBe('1');
		expect(() => parseUsdToAtto('1e-7')).toThrow(/decimal/);
		expect(() => parseUsdToAtto('0.0000000000000000001')).toThrow(/decimals/);
	});

	it('multiplies tokens by prices without float error', () => {
		const sonnet = findModel('sim/sonnet-like');
		if (!sonnet) throw new Error('missing model');
		expect(billTokens(sonnet.pricing, 1000, 500)).toEqual({ costAtto: 10_500_000_000_000_000n, costUsd: '0.0105', cost: 0.0105 });
		const gpt = findModel('sim/gpt-like');
		if (!gpt) throw new Error('missing model');
		// 0.1 + 0.2 style trap: 3 × 0.0000025 + 7 × 0.00001 in floats is 0.00007750000000000001.
		expect(3 * 0.0000025 + 7 * 0.00001).not.toBe(0.0000775);
		expect(billTokens(gpt.pricing, 3, 7).costUsd).toBe('0.0000775');
		expect(billTokens(gpt.pricing, 3, 7).cost).toBe(0.0000775);
	});

	it('keeps sub-nano-dollar prices exact', () => {
		const tiny = findModel('sim/tiny-price');
		if (!tiny) throw new Error('missing model');
		expect(billTokens(tiny.pricing, 1, 0).costUsd).toBe('0.0000000375');
		expect(billTokens(tiny.pricing, 3, 1).costUsd).toBe('0.0000002625');
		expect(billTokens(tiny.pricing, 1_000_000, 1_000_000).costUsd).toBe('0.1875');
	});

	it('bills nothing for the free model', () => {
		const free = findModel('sim/free');
		if (!free) throw new Error('missing model');
		expect(billTokens(free.pricing, 10_000, 10_000)).toEqual({ costAtto: 0n, costUsd: '0', cost: 0 });
	});

	it('every catalogue price parses', () => {
		for (const model of SIM_MODELS) {
			expect(() => parseUsdToAtto(model.pricing.prompt)).not.toThrow();
			expect(() => parseUsdToAtto(model.pricing.completion)).not.toThrow();
		}
	});
});

describe('token approximation', () => {
	it('is ceil(chars / 4), per message', () => {
		expect(countTokens('')).toBe(0);
		expect(countTokens('abcd')).toBe(1);
		expect(countTokens('abcde')).toBe(2);
		expect(countPromptTokens(['abcde', 'abc'])).toBe(3);
	});

	it('max_tokens cuts the reply to 4 characters a token and reports "length"', () => {
		expect(applyMaxTokens('x'.repeat(10), 2)).toEqual({ text: 'xxxxxxxx', finishReason: 'length' });
		expect(applyMaxTokens('x'.repeat(8), 2)).toEqual({ text: 'xxxxxxxx', finishReason: 'stop' });
		expect(applyMaxTokens('abc', undefined)).toEqual({ text: 'abc', finishReason: 'stop' });
	});
});
