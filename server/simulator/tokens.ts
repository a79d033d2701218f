/**
 * A deterministic stand-in for a tokenizer: one token per 4 UTF-16 code units, rounded up.
 * Tests predict token counts (and so costs) from text lengths alone.
 */
export function countTokens(text: string): number {
	return tokensForLength(text.length);
}

export function tokensForLength(length: number): number {
	return Math.ceil(length / 4);
}

/** Each message is counted on its own (no per-message overhead) so estimates are easy to reproduce. */
export function countPromptTokens(texts: readonly string[]): number {
	let total = 0;
	for (const text of texts) total += countTokens(text);
	return total;
}

/** Cuts a reply to what max_tokens allows; the cut is what the client receives and is billed for. */
export function applyMaxTokens(
	text: string,
	maxTokens: number | undefined
): { text: string; finishReason: 'stop' | 'length' } {
	if (maxTokens === undefined || text.length <= maxTokens * 4) return { text, finishReason: 'stop' };
	return { text: text.slice(0, maxTokens * 4), finishReason: 'length' };
}
