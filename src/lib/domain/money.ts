// The one place to import money from: integer nano-USD amounts, exact per-token prices, formatting.
export {
	NANO_PER_USD,
	ZERO_NANO,
	addNano,
	nanoUsd,
	parseUsd,
	subNano,
	sumNano,
	type NanoUsd
} from './nano-usd';
export {
	VARIABLE_PRICE_TEXT,
	VariablePriceError,
	ZERO_PRICE,
	costOf,
	formatPriceExact,
	isVariablePrice,
	parsePrice,
	type PricePerToken
} from './price';
export { formatPricePerMillion, formatUsd, formatUsdExact, type FormatUsdOptions } from './money-format';
export { DecimalSyntaxError } from './decimal';
