/**
 * Server-Sent Events framing as OpenRouter writes it: `data: <json>` events ended by a blank line,
 * and `: OPENROUTER PROCESSING` comment lines as keep-alives. The line ending is a parameter
 * because the crlf fault frames everything with CRLF.
 */
export type LineEnding = '\n' | '\r\n';

export const PROCESSING_COMMENT = 'OPENROUTER PROCESSING';
export const DONE_DATA = '[DONE]';

export function sseData(data: string, eol: LineEnding): string {
	return `data: ${data}${eol}${eol}`;
}

export function sseComment(text: string, eol: LineEnding): string {
	return `: ${text}${eol}${eol}`;
}
