import { formatUsdExact } from '../../src/lib/domain/money';
import type { UsageEntry } from './reports';

export const USAGE_CSV_COLUMNS = [
	'date',
	'user',
	'team',
	'generation_id',
	'conversation_id',
	'model',
	'tokens_in',
	'tokens_out',
	'cost_usd',
	'cost_nano_usd',
	'source',
	'kind'
] as const;

/**
 * One RFC 4180 field: quoted only when it must be (comma, quote, line break) or when edge
 * spaces would otherwise be trimmed by a spreadsheet; quotes inside are doubled.
 */
export function csvField(value: string | number | null): string {
	if (value === null) return '';
	const text = String(value);
	return /[",\r\n]|^\s|\s$/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** RFC 4180 lines end in CRLF, the last one included. */
export function csvLine(fields: ReadonlyArray<string | number | null>): string {
	return `${fields.map(csvField).join(',')}\r\n`;
}

/** The usage export: a header, then one line per ledger entry; cost both as exact USD and nano-USD. */
export function usageCsv(entries: readonly UsageEntry[]): string {
	let out = csvLine(USAGE_CSV_COLUMNS);
	for (const e of entries) {
		out += csvLine([
			new Date(e.createdAt).toISOString(),
			e.username,
			e.teamName,
			e.generationId,
			e.conversationId,
			e.model,
			e.tokensIn,
			e.tokensOut,
			formatUsdExact(e.amountNanoUsd),
			e.amountNanoUsd,
			e.source,
			e.kind
		]);
	}
	return out;
}
