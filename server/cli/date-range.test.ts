import { describe, expect, it } from 'vitest';
import { parseDayRange } from './date-range';
import { UsageError } from './usage-error';

describe('parseDayRange', () => {
	it('covers both days whole, in UTC: [from 00:00, day after to 00:00)', () => {
		expect(parseDayRange('2025-01-31', '2025-02-01', 'x')).toEqual({ from: Date.UTC(2025, 0, 31), to: Date.UTC(2025, 1, 2) });
		expect(parseDayRange('2024-02-29', '2024-02-29', 'x')).toEqual({ from: Date.UTC(2024, 1, 29), to: Date.UTC(2024, 2, 1) });
	});

	it.each([
		[undefined, '2025-01-01'],
		['2025-01-01', undefined],
		['2025-1-01', '2025-01-02'],
		['2025-02-30', '2025-03-01'],
		['2025-13-01', '2025-13-02'],
		['yesterday', '2025-01-01'],
		['2025-01-02', '2025-01-01']
	])('refuses --from %s --to %s as a usage error', (from, to) => {
		expect(() => parseDayRange(from, to, 'usage export')).toThrow(UsageError);
	});
});
