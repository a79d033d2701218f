import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
	DecimalSyntaxError,
	VariablePriceError,
	ZERO_NANO,
	addNano,
	costOf,
	formatPriceExact,
	formatPricePerMillion,
	formatUsd,
	formatUsdExact,
	isVariablePrice,
	nanoUsd,
	parsePrice,
	parseUsd,
	subNano,
	sumNano,
	type NanoUsd
} from './money';

const MAX = Number.MAX_SAFE_INTEGER;
const MIN = Number.MIN_SAFE_INTEGER;
const n = (x: number): NanoUsd => nanoUsd(x);

/** Reference half-even division written differently from the implementation (floor-based). */
function refRoundHalfEven(num: bigint, den: bigint): bigint {
	const floor = num >= 0n ? num / den : -((-num + den - 1n) / den);
	const rest = num - floor * den; // 0 ≤ rest < den
	if (rest * 2n < den) return floor;
	if (rest * 2n > den) return floor + 1n;
	return floor % 2n === 0n ? floor : floor + 1n;
}

describe('nanoUsd and arithmetic', () => {
	it('accepts safe integers and normalises -0', () => {
		expect(nanoUsd(42)).toBe(42);
		expect(Object.is(nanoUsd(-0), 0)).toBe(true);
		expect(nanoUsd(MAX)).toBe(MAX);
		expect(ZERO_NANO).toBe(0);
	});

	it('rejects fractions, NaN, infinities and unsafe integers', () => {
		for (const bad of [0.5, Number.NaN, Infinity, -Infinity, MAX + 1, 2 ** 60]) {
			expect(() => nanoUsd(bad)).toThrow(RangeError);
		}
	});

	it('adds and subtracts, throwing when the result leaves the safe range', () => {
		expect(addNano(n(1), n(2))).toBe(3);
		expect(subNano(n(1), n(3))).toBe(-2);
		expect(() => addNano(n(MAX), n(1))).toThrow(RangeError);
		expect(() => subNano(n(MIN), n(1))).toThrow(RangeError);
		expect(() => addNano(0.1 as NanoUsd, n(1))).toThrow(RangeError);
	});

	it('sums exactly even when an intermediate exceeds the safe range', () => {
		expect(sumNano([])).toBe(0);
		expect(sumNano([n(MAX), n(MAX), n(-MAX)])).toBe(MAX);
		expect(sumNano(new Set([n(1), n(2), n(3)]))).toBe(6);
		expect(() => sumNano([n(MAX), n(1)])).toThrow(RangeError);
	});
});

describe('parseUsd', () => {
	it('converts plain decimals exactly', () => {
		expect(parseUsd('0')).toBe(0);
		expect(parseUsd('-0')).toBe(0);
		expect(Object.is(parseUsd('-0'), 0)).toBe(true);
		expect(parseUsd('12.34')).toBe(12_340_000_000);
		expect(parseUsd('0.000000001')).toBe(1);
		expect(parseUsd('-3.000000001')).toBe(-3_000_000_001);
		expect(parseUsd('.5')).toBe(500_000_000);
		expect(parseUsd('+1.')).toBe(1_000_000_000);
	});

	it('takes JSON numbers through their shortest round-trip text, not float multiplication', () => {
		expect(parseUsd(0.00011)).toBe(110_000);
		expect(parseUsd(0.000123)).toBe(123_000); // as floats, 0.000123 * 1e9 = 123000.00000000001
		expect(parseUsd(0.0001234)).toBe(123_400); // and 0.0001234 * 1e9 = 123399.99999999999
		expect(parseUsd(1.1e-7)).toBe(110);
		expect(parseUsd(2e-9)).toBe(2);
		expect(parseUsd(0.3)).toBe(300_000_000);
		expect(parseUsd(-0)).toBe(0);
		expect(parseUsd(123456.789)).toBe(123_456_789_000_000);
	});

	it('reads exponent notation in either case and sign', () => {
		expect(parseUsd('1E+2')).toBe(100_000_000_000);
		expect(parseUsd('1.1e-7')).toBe(110);
		expect(parseUsd('2e-9')).toBe(2);
		expect(parseUsd('25e-10')).toBe(2); // 2.5 nano → 2 (even)
		expect(parseUsd('1e-400')).toBe(0);
	});

	it('rounds half-to-even beyond 9 decimals, in both directions and for negatives', () => {
		expect(parseUsd('0.0000000005')).toBe(0); // 0.5 → 0
		expect(parseUsd('0.0000000015')).toBe(2); // 1.5 → 2
		expect(parseUsd('0.0000000025')).toBe(2); // 2.5 → 2
		expect(parseUsd('0.0000000035')).toBe(4); // 3.5 → 4
		expect(parseUsd('0.00000000250000000001')).toBe(3); // above the tie
		expect(parseUsd('0.0000000024999')).toBe(2);
		expect(parseUsd('-0.0000000025')).toBe(-2);
		expect(parseUsd('-0.0000000035')).toBe(-4);
		expect(parseUsd('1.23456789012345')).toBe(1_234_567_890);
	});

	it('handles the edges of the safe range', () => {
		expect(parseUsd('9007199.254740991')).toBe(MAX);
		expect(parseUsd('-9007199.254740991')).toBe(MIN);
		expect(() => parseUsd('9007199.254740992')).toThrow(RangeError);
		expect(() => parseUsd(1e21)).toThrow(RangeError);
		expect(() => parseUsd('1e999')).toThrow(RangeError);
	});

	it('rejects garbage with a message naming the input', () => {
		for (const bad of ['', ' ', 'abc', '1,5', '0x10', '1e', 'e5', '.', '-', '1.2.3', ' 1', '1 ', 'NaN', '$1', '1e5000']) {
			expect(() => parseUsd(bad)).toThrow(DecimalSyntaxError);
		}
		expect(() => parseUsd('12abc')).toThrow(/"12abc"/);
		expect(() => parseUsd(Number.NaN)).toThrow(RangeError);
		expect(() => parseUsd(Infinity)).toThrow(RangeError);
	});
});

describe('parsePrice', () => {
	it('parses OpenRouter price strings exactly in atto-USD', () => {
		expect(parsePrice('0.000003').attoUsd).toBe(3_000_000_000_000n);
		expect(parsePrice('0.0000000375').attoUsd).toBe(37_500_000_000n);
		expect(parsePrice('0').attoUsd).toBe(0n);
		expect(parsePrice('-0').attoUsd).toBe(0n);
		expect(parsePrice('0.000000000000000001').attoUsd).toBe(1n);
		expect(parsePrice('15').attoUsd).toBe(15n * 10n ** 18n);
	});

	it('rounds half-to-even beyond 18 decimals', () => {
		expect(parsePrice('0.0000000000000000005').attoUsd).toBe(0n);
		expect(parsePrice('0.0000000000000000015').attoUsd).toBe(2n);
		expect(parsePrice('0.0000000000000000025').attoUsd).toBe(2n);
		expect(parsePrice('0.00000000000000000251').attoUsd).toBe(3n);
	});

	it('treats exactly "-1" as a variable price, by a distinct error', () => {
		expect(isVariablePrice('-1')).toBe(true);
		expect(isVariablePrice('0')).toBe(false);
		expect(() => parsePrice('-1')).toThrow(VariablePriceError);
		expect(() => parsePrice('-2')).toThrow(DecimalSyntaxError);
		expect(() => parsePrice('-1.0')).toThrow(/negative prices/);
		expect(() => parsePrice('-0.000001')).toThrow(/"-0.000001"/);
	});

	it('rejects garbage with a message naming the input', () => {
		expect(() => parsePrice('free')).toThrow(/Invalid price "free"/);
		expect(() => parsePrice('')).toThrow(DecimalSyntaxError);
		expect(() => parsePrice('x'.repeat(5000))).toThrow(DecimalSyntaxError);
	});

	it('formats back to the same exact text', () => {
		expect(formatPriceExact(parsePrice('0.0000000375'))).toBe('0.0000000375');
		expect(formatPriceExact(parsePrice('3e-6'))).toBe('0.000003');
		expect(formatPriceExact(parsePrice('0'))).toBe('0');
	});
});

describe('costOf', () => {
	it('multiplies then rounds once, half-to-even', () => {
		const half = parsePrice('0.0000000005'); // 0.5 nano per token
		expect(costOf(1, half)).toBe(0);
		expect(costOf(3, half)).toBe(2);
		expect(costOf(5, half)).toBe(2);
		expect(costOf(7, half)).toBe(4);
		expect(costOf(1000, parsePrice('0.0000000375'))).toBe(37_500);
		expect(costOf(3, parsePrice('0.0000000375'))).toBe(112); // 112.5 → 112
		expect(costOf(1_000_000, parsePrice('0.000003'))).toBe(3_000_000_000);
	});

	it('is zero for zero tokens or a free model', () => {
		expect(costOf(0, parsePrice('0.00001'))).toBe(0);
		expect(costOf(123_456, parsePrice('0'))).toBe(0);
	});

	it('rejects bad token counts and overflowing costs', () => {
		expect(() => costOf(-1, parsePrice('0.000001'))).toThrow(RangeError);
		expect(() => costOf(1.5, parsePrice('0.000001'))).toThrow(RangeError);
		expect(() => costOf(MAX, parsePrice('1'))).toThrow(RangeError);
	});
});

describe('formatUsd', () => {
	it('shows cents for a cent or more', () => {
		expect(formatUsd(n(0))).toBe('$0.00');
		expect(formatUsd(parseUsd('12.34'))).toBe('$12.34');
		expect(formatUsd(parseUsd('0.01'))).toBe('$0.01');
		expect(formatUsd(parseUsd('1234567.891'))).toBe('$1,234,567.89');
		expect(formatUsd(parseUsd('1234567.891'), { grouping: false })).toBe('$1234567.89');
		expect(formatUsd(parseUsd('0.125'))).toBe('$0.12'); // tie → even
		expect(formatUsd(parseUsd('0.135'))).toBe('$0.14');
		expect(formatUsd(n(MAX))).toBe('$9,007,199.25');
	});

	it('keeps significant digits below a cent', () => {
		expect(formatUsd(parseUsd('0.000123'))).toBe('$0.00012');
		expect(formatUsd(parseUsd('0.000123'), { significantDigits: 3 })).toBe('$0.000123');
		expect(formatUsd(parseUsd('0.0001'))).toBe('$0.0001');
		expect(formatUsd(n(1))).toBe('$0.000000001');
		expect(formatUsd(parseUsd('0.00999'))).toBe('$0.01');
		expect(formatUsd(parseUsd('0.009996'))).toBe('$0.01');
	});

	it('puts the minus before the dollar sign', () => {
		expect(formatUsd(parseUsd('-12.34'))).toBe('-$12.34');
		expect(formatUsd(parseUsd('-0.000123'))).toBe('-$0.00012');
	});

	it('rejects bad options and non-integer amounts', () => {
		expect(() => formatUsd(n(1), { significantDigits: 0 })).toThrow(RangeError);
		expect(() => formatUsd(0.5 as NanoUsd)).toThrow(RangeError);
	});
});

describe('formatUsdExact', () => {
	it('writes 9 decimals trimmed of trailing zeros', () => {
		expect(formatUsdExact(n(123))).toBe('0.000000123');
		expect(formatUsdExact(n(12_500_000_000))).toBe('12.5');
		expect(formatUsdExact(n(0))).toBe('0');
		expect(formatUsdExact(n(-3_000_000_001))).toBe('-3.000000001');
		expect(formatUsdExact(n(MIN))).toBe('-9007199.254740991');
	});
});

describe('formatPricePerMillion', () => {
	it('shows USD per million tokens exactly, at least to the cent', () => {
		expect(formatPricePerMillion(parsePrice('0.000003'))).toBe('$3.00 / M tokens');
		expect(formatPricePerMillion(parsePrice('0.0000000375'))).toBe('$0.0375 / M tokens');
		expect(formatPricePerMillion(parsePrice('0'))).toBe('$0.00 / M tokens');
		expect(formatPricePerMillion(parsePrice('0.000000000000000001'))).toBe('$0.000000000001 / M tokens');
		expect(formatPricePerMillion(parsePrice('0.075'))).toBe('$75,000.00 / M tokens');
	});
});

describe('properties', () => {
	it('(a) 100k additions do not drift: addNano equals the bigint sum', () => {
		fc.assert(
			fc.property(fc.array(fc.integer({ min: 0, max: 50_000_000 }), { minLength: 100_000, maxLength: 100_000 }), (costs) => {
				let total = ZERO_NANO;
				let reference = 0n;
				for (const cost of costs) {
					total = addNano(total, parseUsd(formatUsdExact(n(cost))));
					reference += BigInt(cost);
				}
				expect(BigInt(total)).toBe(reference);
				expect(BigInt(sumNano(costs.map(n)))).toBe(reference);
			}),
			{ numRuns: 3 }
		);
	});

	it('(b) formatUsdExact → parseUsd round-trips every safe integer', () => {
		fc.assert(
			fc.property(fc.oneof(fc.integer({ min: MIN, max: MAX }), fc.integer({ min: -1e10, max: 1e10 })), (x) => {
				expect(parseUsd(formatUsdExact(n(x)))).toBe(x);
			}),
			{ numRuns: 2000 }
		);
	});

	it('(c) costOf(parsePrice(s)) matches a bigint reference with half-even rounding', () => {
		const priceText = fc
			.tuple(fc.integer({ min: 0, max: 999 }), fc.string({ unit: fc.constantFrom(...'0123456789'), maxLength: 26 }))
			.map(([whole, fraction]) => (fraction ? `${whole}.${fraction}` : `${whole}`));
		fc.assert(
			fc.property(priceText, fc.integer({ min: 0, max: 2_000_000 }), (text, tokens) => {
				const [whole = '', fraction = ''] = text.split('.');
				// Price rounded to 18 decimals (atto-USD), then the cost rounded to nano-USD.
				const atto = refRoundHalfEven(BigInt(whole + fraction) * 10n ** 18n, 10n ** BigInt(fraction.length));
				const expected = refRoundHalfEven(BigInt(tokens) * atto, 10n ** 9n);
				if (expected > BigInt(MAX)) expect(() => costOf(tokens, parsePrice(text))).toThrow(RangeError);
				else expect(BigInt(costOf(tokens, parsePrice(text)))).toBe(expected);
			}),
			{ numRuns: 2000 }
		);
	});

	it('(d) ties round to even and anything past a tie rounds away from zero', () => {
		const nine = (q: bigint) => {
			const digits = q.toString().padStart(10, '0');
			return `${digits.slice(0, -9)}.${digits.slice(-9)}`;
		};
		fc.assert(
			fc.property(fc.bigInt({ min: 0n, max: BigInt(MAX) - 1n }), fc.boolean(), fc.boolean(), (q, negative, pastTie) => {
				const text = `${negative ? '-' : ''}${nine(q)}5${pastTie ? '0001' : '000'}`;
				const expectedMagnitude = pastTie || q % 2n === 1n ? q + 1n : q;
				expect(BigInt(parseUsd(text))).toBe(negative ? -expectedMagnitude : expectedMagnitude);
			}),
			{ numRuns: 2000 }
		);
	});
});
