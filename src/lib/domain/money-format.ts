import { divRoundHalfEven, formatScaledDecimal, groupThousands } from './decimal';
import { nanoUsd, type NanoUsd } from './nano-usd';
import type { PricePerToken } from './price';

const NANO_PER_CENT = 10_000_000n;

export type FormatUsdOptions = {
	/** Significant digits kept for amounts below one cent (1–9); default 2, as in "$0.00012". */
	significantDigits?: number;
	/** Thousands separators in the whole-dollar part ("$1,234.50"); default true. */
	grouping?: boolean;
};

/**
 * For people, not for storage: cents for amounts of a cent or more, and a few significant digits
 * below a cent so a cheap call never shows as "$0.00". Rounds half-to-even.
 */
export function formatUsd(amount: NanoUsd, opts: FormatUsdOptions = {}): string {
	const significant = opts.significantDigits ?? 2;
	if (!Number.isInteger(significant) || significant < 1 || significant > 9) {
		throw new RangeError(`formatUsd: significantDigits must be an integer 1–9, got ${significant}`);
	}
	const value = BigInt(nanoUsd(amount));
	const sign = value < 0n ? '-' : '';
	let magnitude = value < 0n ? -value : value;
	if (magnitude === 0n) return '$0.00';
	if (magnitude < NANO_PER_CENT) {
		const drop = Math.max(0, magnitude.toString().length - significant);
		const unit = 10n ** BigInt(drop);
		magnitude = divRoundHalfEven(magnitude, unit) * unit;
		// Rounding may carry up to a full cent ($0.0099999 → $0.010); then cents apply.
		if (magnitude < NANO_PER_CENT) return `${sign}$${formatScaledDecimal(magnitude, 9)}`;
	}
	const cents = divRoundHalfEven(magnitude, NANO_PER_CENT);
	const whole = (cents / 100n).toString();
	const fraction = (cents % 100n).toString().padStart(2, '0');
	return `${sign}$${opts.grouping === false ? whole : groupThousands(whole)}.${fraction}`;
}

/** Exact and lossless: 9 decimals with trailing zeros trimmed; parseUsd reads it back unchanged. */
export function formatUsdExact(amount: NanoUsd): string {
	return formatScaledDecimal(BigInt(nanoUsd(amount)), 9);
}

/** "$3.00 / M tokens": USD per million tokens, exact (atto-USD × 1e6 = 1e-12 USD units). */
export function formatPricePerMillion(price: PricePerToken): string {
	const negative = price.attoUsd < 0n;
	const text = formatScaledDecimal(negative ? -price.attoUsd : price.attoUsd, 12, 2);
	const [whole = '0', fraction = ''] = text.split('.');
	return `${negative ? '-' : ''}$${groupThousands(whole)}.${fraction} / M tokens`;
}
