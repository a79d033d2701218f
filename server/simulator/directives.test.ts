import { describe, expect, it } from 'vitest';
import { extractDirectives, hasFaults, mergeDirectives, parseDirectiveList, withoutFaults } from './directives';

describe('parseDirectiveList (X-Sim-Fault header form)', () => {
	it('reads comma- and space-separated items', () => {
		expect(parseDirectiveList('status=502,retry-after=2  fail-times=3, key=abc')).toEqual({
			ok: true,
			directives: { status: 502, retryAfter: 2, failTimes: 3, key: 'abc' }
		});
	});

	it('reads every mode', () => {
		const result = parseDirectiveList(
			'hang stall-after=4 error-chunk=0 reset-after=7 no-done trickle=50 crlf split malformed=1 ' +
				'big-event=1000000 keepalive=5 keepalive-interval=20 first-token-delay=300 len=130000 delay=5 echo lookup-404=2'
		);
		expect(result).toEqual({
			ok: true,
			directives: {
				hang: true,
				stallAfter: 4,
				errorChunk: 0,
				resetAfter: 7,
				noDone: true,
				trickle: 50,
				crlf: true,
				split: true,
				malformed: 1,
				bigEvent: 1_000_000,
				keepalive: 5,
				keepaliveInterval: 20,
				firstTokenDelay: 300,
				len: 130_000,
				delay: 5,
				echo: true,
				lookup404: 2
			}
		});
	});

	it('gives defaults to names used without a value', () => {
		expect(parseDirectiveList('trickle error-chunk reset-after stall-after malformed fail-times lookup-404')).toEqual({
			ok: true,
			directives: { trickle: 200, errorChunk: 3, resetAfter: 3, stallAfter: 3, malformed: 2, failTimes: 1, lookup404: 1 }
		});
	});

	it('is case-insensitive in names and ignores empty input', () => {
		expect(parseDirectiveList('STATUS=503')).toEqual({ ok: true, directives: { status: 503 } });
		expect(parseDirectiveList('  ,, ')).toEqual({ ok: true, directives: {} });
	});

	it.each([
		['bogus', /Unknown simulator directive "bogus"/],
		['status', /needs a value/],
		['status=200', /between 400 and 599/],
		['status=abc', /whole number/],
		['len=-1', /whole number/],
		['hang=1', /takes no value/],
		['key=a/b', /"key" needs a value/],
		['delay=1.5', /whole number/]
	])('rejects %s with a clear message', (input, message) => {
		const result = parseDirectiveList(input);
		expect(result.ok).toBe(false);
		if (!result.ok) expect(result.error).toMatch(message);
	});
});

describe('extractDirectives (message form)', () => {
	it('strips blocks and trims, so the reply keys off the plain text', () => {
		expect(extractDirectives('[[sim:len=130000]] Write a long answer')).toEqual({
			ok: true,
			directives: { len: 130_000 },
			text: 'Write a long answer'
		});
	});

	it('merges several blocks, later ones winning', () => {
		expect(extractDirectives('a [[sim:status=502, retry-after=1]] b [[SIM:status=503]]')).toEqual({
			ok: true,
			directives: { status: 503, retryAfter: 1 },
			text: 'a  b'
		});
	});

	it('leaves text without directives untouched, whitespace included', () => {
		expect(extractDirectives('  [[not a directive]] ')).toEqual({ ok: true, directives: {}, text: '  [[not a directive]] ' });
	});

	it('reports a bad block', () => {
		const result = extractDirectives('hi [[sim:status=99]]');
		expect(result.ok).toBe(false);
	});
});

describe('merging and fault stripping', () => {
	it('lets the header override the message', () => {
		expect(mergeDirectives({ status: 502, len: 5 }, { status: 429 })).toEqual({ status: 429, len: 5 });
	});

	it('keeps only reply-shaping fields once failures are used up', () => {
		const all = { status: 502, failTimes: 2, hang: true, len: 10, delay: 1, key: 'k', echo: true, lookup404: 1 };
		expect(withoutFaults(all)).toEqual({ len: 10, delay: 1, key: 'k', echo: true, lookup404: 1 });
		expect(hasFaults(all)).toBe(true);
		expect(hasFaults(withoutFaults(all))).toBe(false);
	});
});
