import { parseScaledDecimal } from './decimal';

/**
 * Money is an integer count of nano-USD (1e-9 USD). Integers inside the safe range add exactly as
 * doubles, so sums never drift; the brand keeps USD floats and token counts out of money slots.
 */
export type NanoUsd = number & { readonly __unit: 'nano-usd' };

export const NANO_PER_USD = 1_000_000_000;
export const ZERO_NANO = 0 as NanoUsd;

function checked(n: number, what: string): NanoUsd {
	if (!Number.isSafeInteger(n)) {
		throw new RangeError(`${what}: ${n} is not a safe integer number of nano-USD`);
	}
	// -0 would print as "0" yet fail Object.is checks; money has one zero.
	return (n === 0 ? 0 : n) as NanoUsd;
}

export function nanoUsd(n: number): NanoUsd {
	return checked(n, 'nanoUsd');
}

export function addNano(a: NanoUsd, b: NanoUsd): NanoUsd {
	return checked(checked(a, 'addNano') + checked(b, 'addNano'), 'addNano');
}

export function subNano(a: NanoUsd, b: NanoUsd): NanoUsd {
	return checked(checked(a, 'subNano') - checked(b, 'subNano'), 'subNano');
}

/** Sums in bigint so a large intermediate (e.g. credits before debits) cannot overflow on the way. */
export function sumNano(values: Iterable<NanoUsd>): NanoUsd {
	let total = 0n;
	for (const value of values) total += BigInt(checked(value, 'sumNano'));
	return fromBigInt(total, 'sumNano');
}

export function fromBigInt(value: bigint, what: string): NanoUsd {
	if (value > BigInt(Number.MAX_SAFE_INTEGER) || value < BigInt(Number.MIN_SAFE_INTEGER)) {
		throw new RangeError(`${what}: ${value} nano-USD is outside the safe-integer range`);
	}
	return checked(Number(value), what);
}

/**
 * Converts a USD amount exactly, rounding half-to-even at 9 decimals. OpenRouter's `usage.cost`
 * arrives as a JSON number: its shortest round-trip text (String(n), maybe "1.1e-7") is the value
 * the provider meant, so we parse that text instead of multiplying the float.
 */
export function parseUsd(value: string | number): NanoUsd {
	if (typeof value === 'number' && !Number.isFinite(value)) {
		throw new RangeError(`Invalid USD amount ${value}: not a finite number`);
	}
	const text = typeof value === 'number' ? String(value) : value;
	return fromBigInt(parseScaledDecimal(text, 9, 'USD amount'), `USD amount ${JSON.stringify(text)}`);
}
