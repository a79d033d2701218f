/** Longest automatic title, in characters. */
export const AUTO_TITLE_MAX = 80;

/**
 * A conversation is titled by its first message until someone renames it: that message's first
 * non-blank line, trimmed, cut at AUTO_TITLE_MAX with an ellipsis. Server and clients both use this.
 */
export function titleFrom(content: string): string {
	const line = content.split('\n').find((l) => l.trim() !== '')?.trim() ?? '';
	return line.length > AUTO_TITLE_MAX ? `${line.slice(0, AUTO_TITLE_MAX - 1)}…` : line;
}
