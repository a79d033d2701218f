import { describe, expect, it } from 'vitest';
import { nanoUsd } from '../../src/lib/domain/money';
import type { UsageEntry } from './reports';
import { csvField, csvLine, usageCsv } from './usage-csv';

/** A strict RFC 4180 reader, to prove the writer's output reads back field for field. */
function parseCsv(text: string): string[][] {
	const records: string[][] = [];
	let record: string[] = [];
	let field = '';
	let quoted = false;
	for (let i = 0; i < text.length; i++) {
		const c = text[i];
		if (quoted) {
			if (c === '"' && text[i + 1] === '"') {
				field += '"';
				i++;
			} else if (c === '"') quoted = false;
			else field += c;
		} else if (c === '"') quoted = true;
		else if (c === ',') {
			record.push(field);
			field = '';
		} else if (c === '\r' && text[i + 1] === '\n') {
			record.push(field);
			records.push(record);
			record = [];
			field = '';
			i++;
		} else field += c;
	}
	expect(field === '' && record.length === 0, 'input ends with CRLF').toBe(true);
	return records;
}

const entry = (overrides: Partial<UsageEntry> = {}): UsageEntry => ({
	createdAt: Date.UTC(2025, 0, 31, 23, 59, 59, 999),
	username: 'ada',
	teamName: null,
	generationId: 'g1',
	conversationId: 'c1',
	model: 'sim/echo-mini',
	tokensIn: 12,
	tokensOut: 340,
	amountNanoUsd: nanoUsd(1_234_567),
	source: 'provider',
	kind: 'charge',
	...overrides
});

describe('csvField', () => {
	it('leaves plain text alone and writes null as an empty field', () => {
		expect(csvField('sim/echo-mini')).toBe('sim/echo-mini');
		expect(csvField(42)).toBe('42');
		expect(csvField(null)).toBe('');
		expect(csvField('')).toBe('');
	});

	it('quotes commas, quotes, line breaks and edge spaces; doubles inner quotes', () => {
		expect(csvField('a,b')).toBe('"a,b"');
		expect(csvField('say "hi"')).toBe('"say ""hi"""');
		expect(csvField('one\ntwo')).toBe('"one\ntwo"');
		expect(csvField('one\r\ntwo')).toBe('"one\r\ntwo"');
		expect(csvField(' padded ')).toBe('" padded "');
		expect(csvField('"')).toBe('""""');
	});

	it('round-trips hostile values through an RFC 4180 reader', () => {
		const values = ['plain', 'a,b', '"quoted"', 'line\r\nbreak', 'lf\nonly', ' lead', 'trail ', '', '""', ',,,', 'é ü 😀'];
		expect(parseCsv(csvLine(values))).toEqual([values]);
	});
});

describe('usageCsv', () => {
	it('writes the header, then one CRLF line per entry with exact costs', () => {
		const text = usageCsv([
			entry(),
			entry({ kind: 'correction', teamName: 'R&D, "core"', tokensIn: null, tokensOut: null, amountNanoUsd: nanoUsd(-200), source: 'generation-lookup' })
		]);
		const [header, charge, correction] = parseCsv(text);
		expect(header).toEqual(['date', 'user', 'team', 'generation_id', 'conversation_id', 'model', 'tokens_in', 'tokens_out', 'cost_usd', 'cost_nano_usd', 'source', 'kind']);
		expect(charge).toEqual(['2025-01-31T23:59:59.999Z', 'ada', '', 'g1', 'c1', 'sim/echo-mini', '12', '340', '0.001234567', '1234567', 'provider', 'charge']);
		expect(correction).toEqual(['2025-01-31T23:59:59.999Z', 'ada', 'R&D, "core"', 'g1', 'c1', 'sim/echo-mini', '', '', '-0.0000002', '-200', 'generation-lookup', 'correction']);
		expect(text.split('\r\n')).toHaveLength(4);
	});

	it('is only the header when there is nothing to export', () => {
		expect(usageCsv([])).toBe('date,user,team,generation_id,conversation_id,model,tokens_in,tokens_out,cost_usd,cost_nano_usd,source,kind\r\n');
	});

	it('never rounds: large and tiny amounts keep every nano-USD', () => {
		const [, big, tiny] = parseCsv(usageCsv([entry({ amountNanoUsd: nanoUsd(9_007_199_254_740_991) }), entry({ amountNanoUsd: nanoUsd(1) })]));
		expect(big?.slice(8, 10)).toEqual(['9007199.254740991', '9007199254740991']);
		expect(tiny?.slice(8, 10)).toEqual(['0.000000001', '1']);
	});
});
