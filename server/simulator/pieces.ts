/**
 * Splits a reply into stream pieces the way a tokenizer-backed stream looks: a word or a few
 * characters each (at most 6 non-space characters plus the whitespace that follows).
 * Joining the pieces gives back the text exactly.
 */
export function splitIntoPieces(text: string): string[] {
	return text.match(/\S{1,6}\s*|\s+/g) ?? [];
}

/** trickle mode: one character per chunk. Replies stay in the BMP, so code units are characters. */
export function splitIntoCharacters(text: string): string[] {
	return text.split('');
}

/** big-event mode: the first `size` characters travel as one piece, the rest as usual. */
export function splitWithBigFirst(text: string, size: number): string[] {
	if (text.length === 0) return [];
	return [text.slice(0, size), ...splitIntoPieces(text.slice(size))];
}
