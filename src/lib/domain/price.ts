import { DecimalSyntaxError, divRoundHalfEven, formatScaledDecimal, parseScaledDecimal } from './decimal';
import { fromBigInt, type NanoUsd } from './nano-usd';

/**
 * A per-token price in atto-USD (1e-18 USD). Prices are often finer than one nano-USD per token
 * (e.g. "0.0000000375"), so they stay exact here and only the cost of a whole call is rounded.
 */
export type PricePerToken = { readonly attoUsd: bigint };

export const ZERO_PRICE: PricePerToken = Object.freeze({ attoUsd: 0n });

/** OpenRouter's way of saying "this model's price varies / is unknown". */
export const VARIABLE_PRICE_TEXT = '-1';

/**
 * parsePrice throws this (rather than returning a sentinel) so that every PricePerToken is a real
 * price and costOf can never silently bill with a placeholder; the catalog catches it (or asks
 * isVariablePrice first) and marks the model as variably priced.
 */
export class VariablePriceError extends Error {
	override name = 'VariablePriceError';
	constructor(readonly input: string) {
		super(`Price ${JSON.stringify(input)} means "variable price": it cannot be used to compute a cost`);
	}
}

export function isVariablePrice(text: string): boolean {
	return text === VARIABLE_PRICE_TEXT;
}

/** Parses OpenRouter's decimal USD-per-token string exactly; more than 18 decimals round half-even. */
export function parsePrice(text: string): PricePerToken {
	if (isVariablePrice(text)) throw new VariablePriceError(text);
	const attoUsd = parseScaledDecimal(text, 18, 'price');
	if (attoUsd < 0n) {
		throw new DecimalSyntaxError(
			`Invalid price ${JSON.stringify(text)}: negative prices are not allowed (only "-1", meaning variable)`
		);
	}
	return { attoUsd };
}

/** The exact decimal USD-per-token text, e.g. "0.000003": what parsePrice would read back. */
export function formatPriceExact(price: PricePerToken): string {
	return formatScaledDecimal(price.attoUsd, 18);
}

/** tokens × price, rounded once half-to-even to whole nano-USD (one rounding per ledger entry). */
export function costOf(tokens: number, price: PricePerToken): NanoUsd {
	if (!Number.isSafeInteger(tokens) || tokens < 0) {
		throw new RangeError(`costOf: token count ${tokens} is not a non-negative safe integer`);
	}
	const atto = BigInt(tokens) * price.attoUsd;
	return fromBigInt(divRoundHalfEven(atto, 1_000_000_000n), 'costOf');
}
