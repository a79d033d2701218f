import type { Billed } from './cost';

/** OpenRouter's usage object (usage accounting is always on there, so every response carries cost). */
export interface Usage {
	prompt_tokens: number;
	completion_tokens: number;
	total_tokens: number;
	cost: number;
	is_byok: false;
	prompt_tokens_details: { cached_tokens: number };
	completion_tokens_details: { reasoning_tokens: number };
}

export function buildUsage(promptTokens: number, completionTokens: number, billed: Billed): Usage {
	return {
		prompt_tokens: promptTokens,
		completion_tokens: completionTokens,
		total_tokens: promptTokens + completionTokens,
		cost: billed.cost,
		is_byok: false,
		prompt_tokens_details: { cached_tokens: 0 },
		completion_tokens_details: { reasoning_tokens: 0 }
	};
}
