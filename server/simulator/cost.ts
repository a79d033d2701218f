/**
 * Exact cost math. OpenRouter prices are decimal strings of USD per token with up to ~10 decimals
 * ("0.0000000375"), finer than a nano-dollar, so prices are held as bigint atto-USD (1e-18 USD)
 * and multiplied exactly; only the final JSON number is a float.
 */
const SCALE_DIGITS = 18;
const SCALE = 10n ** BigInt(SCALE_DIGITS);

/** Parses a non-negative decimal string ("0.000003", "0", "12.5") into atto-USD. */
export function parseUsdToAtto(value: string): bigint {
	const match = /^(\d+)(?:\.(\d+))?$/.exec(value);
	if (!match) throw new Error(`Not a decimal USD amount: ${JSON.stringify(value)}`);
	const whole = match[1] ?? '0';
	const fraction = match[2] ?? '';
	if (fraction.length > SCALE_DIGITS) throw new Error(`More than ${SCALE_DIGITS} decimals: ${value}`);
	return BigInt(whole) * SCALE + BigInt(fraction.padEnd(SCALE_DIGITS, '0'));
}

/** Formats atto-USD as the shortest exact decimal string ("0.0105", "0"). */
export function formatAttoAsUsd(atto: bigint): string {
	const negative = atto < 0n;
	const magnitude = negative ? -atto : atto;
	const whole = magnitude / SCALE;
	const fraction = (magnitude % SCALE).toString().padStart(SCALE_DIGITS, '0').replace(/0+$/, '');
	const text = fraction === '' ? whole.toString() : `${whole}.${fraction}`;
	return negative ? `-${text}` : text;
}

export interface Prices {
	/** USD per prompt token, as OpenRouter writes it. */
	prompt: string;
	/** USD per completion token. */
	completion: string;
}

export interface Billed {
	costAtto: bigint;
	/** Exact decimal USD. */
	costUsd: string;
	/** What usage.cost carries in JSON: the nearest double to costUsd. */
	cost: number;
}

export function billTokens(prices: Prices, promptTokens: number, completionTokens: number): Billed {
	const costAtto =
		BigInt(promptTokens) * parseUsdToAtto(prices.prompt) + BigInt(completionTokens) * parseUsdToAtto(prices.completion);
	const costUsd = formatAttoAsUsd(costAtto);
	return { costAtto, costUsd, cost: Number(costUsd) };
}
