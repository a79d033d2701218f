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

/**
 * A reasoning budget (OpenRouter's `reasoning.max_tokens`) at or above the tokens the call may
 * produce: reasoning is output, counted within max_tokens, so no room would be left for the answer.
 * Caught here rather than when the request is read, because the cap may be the model's own limit
 * (or what its context leaves), which only the catalog knows.
 */
export class ReasoningBudgetError extends Error {
	override name = 'ReasoningBudgetError';
	constructor(
		readonly budget: number,
		readonly maxTokens: number
	) {
		super(`reasoning.max_tokens: ${budget} must be less than the ${maxTokens} tokens this call may produce (max_tokens, or the model's limit): reasoning is output, counted within it`);
	}
}

/**
 * Prices a call before it is made; throws UnknownModelError for a model not in the catalog,
 * VariablePriceModelError, or ReasoningBudgetError.
 */
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
	const budget = reasoningBudget(params);
	if (budget !== null && budget >= maxTokens) throw new ReasoningBudgetError(budget, maxTokens);
	let worst = 0;
	for (const m of entries) worst = Math.max(worst, worstCaseCost(m, promptTokensEstimate, maxTokens));
	return { worstCaseNanoUsd: worst as NanoUsd, maxTokens, promptTokensEstimate };
}

function reasoningBudget(params: UpstreamParams | undefined): number | null {
	const reasoning = params?.reasoning;
	if (typeof reasoning !== 'object' || reasoning === null || !('max_tokens' in reasoning)) return null;
	return typeof reasoning.max_tokens === 'number' ? reasoning.max_tokens : null;
}
