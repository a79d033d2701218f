/**
 * Exact decimal arithmetic on bigints. Money never passes through a float: a decimal string is
 * read digit by digit into an integer count of some small unit (nano-USD, atto-USD).
 */

// Generous for any real price or amount, small enough that no input can make 10n ** n expensive.
const MAX_EXPONENT = 1000;
const MAX_INPUT_LENGTH = 1000;
const DECIMAL = /^([+-]?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d{1,6}))?$/;

/** Thrown for text that is not a decimal number; the message names the input and the expectation. */
export class DecimalSyntaxError extends Error {
	override name = 'DecimalSyntaxError';
}

/** n / d rounded half-to-even (banker's rounding), so rounding errors do not drift one way. */
export function divRoundHalfEven(n: bigint, d: bigint): bigint {
	if (d <= 0n) throw new RangeError('divRoundHalfEven: divisor must be positive');
	const negative = n < 0n;
	const magnitude = negative ? -n : n;
	let q = magnitude / d;
	const twiceRemainder = (magnitude % d) * 2n;
	if (twiceRemainder > d || (twiceRemainder === d && q % 2n === 1n)) q += 1n;
	return negative ? -q : q;
}

function describe(text: string): string {
	return JSON.stringify(text.length > 40 ? `${text.slice(0, 40)}…` : text);
}

/**
 * Reads a decimal string (optionally signed, optionally in exponent notation like "1.1e-7") as an
 * integer count of 10^-scale units, rounding half-to-even once. `label` names the value in errors.
 */
export function parseScaledDecimal(text: string, scale: number, label: string): bigint {
	const match = text.length <= MAX_INPUT_LENGTH ? DECIMAL.exec(text) : null;
	const [, sign = '', whole = '', fraction = '', exponentText] = match ?? [];
	if (!match || whole.length + fraction.length === 0) {
		throw new DecimalSyntaxError(
			`Invalid ${label} ${describe(text)}: expected a decimal number such as "0.000003" or "1.1e-7"`
		);
	}
	const exponent = exponentText === undefined ? 0 : Number(exponentText);
	if (Math.abs(exponent) > MAX_EXPONENT) {
		throw new DecimalSyntaxError(`Invalid ${label} ${describe(text)}: exponent out of range`);
	}
	const mantissa = BigInt(whole + fraction);
	if (mantissa === 0n) return 0n;
	const shift = exponent - fraction.length + scale;
	const magnitude =
		shift >= 0 ? mantissa * 10n ** BigInt(shift) : divRoundHalfEven(mantissa, 10n ** BigInt(-shift));
	return sign === '-' ? -magnitude : magnitude;
}

/**
 * Writes value × 10^-scale as a plain decimal (never exponent notation), trimming trailing zeros
 * but keeping at least `minDecimals` of them.
 */
export function formatScaledDecimal(value: bigint, scale: number, minDecimals = 0): string {
	const negative = value < 0n;
	const digits = (negative ? -value : value).toString().padStart(scale + 1, '0');
	const whole = digits.slice(0, digits.length - scale);
	const fraction = digits.slice(digits.length - scale).replace(/0+$/, '').padEnd(minDecimals, '0');
	const body = fraction.length > 0 ? `${whole}.${fraction}` : whole;
	return negative ? `-${body}` : body;
}

/** "1234567" → "1,234,567": display only, en-US style, locale-independent on purpose. */
export function groupThousands(wholeDigits: string): string {
	return wholeDigits.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}
