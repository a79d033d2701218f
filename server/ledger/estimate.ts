import { addNano, costOf, type NanoUsd } from '../../src/lib/domain/money';
import type { UpstreamMessage, UpstreamParams } from '../orchestrator/upstream-request';
import type { CatalogModel } from './catalog';
import { IMAGE_PART_TOKENS, promptSize, TOOL_DEFINITION_TOKENS } from './prompt-size';

/** When neither the request nor the catalog bounds the reply, this does (and is sent upstream). */
export const DEFAULT_MAX_TOKENS = 4_096;

/**
 * A deliberate over-estimate of prompt tokens: ~4 characters a token for English, with a per-
 * message overhead for role markers; images, tool definitions and tool calls and results on the
 * high side too (prompt-size.ts). It only sizes the reservation; the provider's count settles.
 */
export function estimatePromptTokens(messages: readonly UpstreamMessage[], params?: UpstreamParams): number {
	const size = promptSize(messages, params);
	return Math.ceil(size.chars / 3.5) + 4 * messages.length + 3 + size.images * IMAGE_PART_TOKENS + size.tools * TOOL_DEFINITION_TOKENS;
}

/** The max_tokens to send: the caller's, capped by what the model can produce and what fits. */
export function maxTokensFor(model: CatalogModel, requested: number | undefined, promptTokens: number): number {
	let max = requested ?? model.maxCompletionTokens ?? DEFAULT_MAX_TOKENS;
	if (model.maxCompletionTokens) max = Math.min(max, model.maxCompletionTokens);
	if (model.contextLength) max = Math.min(max, Math.max(1, model.contextLength - promptTokens));
	return Math.max(1, max);
}

/** The most a call can cost: prompt estimate × prompt price + max_tokens × completion price. */
export function worstCaseCost(model: CatalogModel, promptTokens: number, maxTokens: number): NanoUsd {
	return addNano(costOf(promptTokens, model.promptPrice), costOf(maxTokens, model.completionPrice));
}

/** Tokens × catalog price: the fallback when the provider's bill cannot be had. */
export function estimatedCost(model: CatalogModel, tokensIn: number, tokensOut: number): NanoUsd {
	return addNano(costOf(tokensIn, model.promptPrice), costOf(tokensOut, model.completionPrice));
}
