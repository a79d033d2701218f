import type { NanoUsd } from '../../src/lib/domain/money';
import type { UpstreamMessage, UpstreamParams } from '../orchestrator/upstream-request';
import type { ModelCatalog } from './catalog';
import { estimatePromptTokens, maxTokensFor, worstCaseCost } from './estimate';

export interface PricedCall {
	/** Reserved before the call: the worst case over every model that may answer. */
	worstCaseNanoUsd: NanoUsd;
	/** Sent upstream, so the worst case is a real bound. */
	maxTokens: number;
	promptTokensEstimate: number;
}

export class VariablePriceModelError extends Error {
	override name = 'VariablePriceModelError';
	constructor(model: string) {
		super(`"${model}" has a variable price, so no budget can be held for it. Pick a model with a fixed price.`);
	}
}

/** Prices a call before it is made; throws UnknownModelError for a model not in the catalog. */
export function priceCall(
	catalog: ModelCatalog,
	models: string[],
	messages: readonly UpstreamMessage[],
	requestedMaxTokens?: number,
	params?: UpstreamParams
): PricedCall {
	const entries = models.map((id) => catalog.require(id));
	const variable = entries.find((m) => m.variablePrice);
	if (variable) throw new VariablePriceModelError(variable.id);
	const promptTokensEstimate = estimatePromptTokens(messages, params);
	const maxTokens = Math.min(...entries.map((m) => maxTokensFor(m, requestedMaxTokens, promptTokensEstimate)));
	let worst = 0;
	for (const m of entries) worst = Math.max(worst, worstCaseCost(m, promptTokensEstimate, maxTokens));
	return { worstCaseNanoUsd: worst as NanoUsd, maxTokens, promptTokensEstimate };
}
