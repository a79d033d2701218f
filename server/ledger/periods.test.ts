import { describe, expect, it } from 'vitest';
import { BUDGET_PERIODS, periodKey, periodKeys } from './periods';

describe('periodKeys', () => {
	it('gives what periodKey gives for each period, across day, month and year ends, in any order', () => {
		const moments = [
			Date.UTC(2026, 10, 27, 21, 0),
			Date.UTC(2026, 10, 30, 23, 59, 59, 999),
			Date.UTC(2026, 11, 1, 0, 0, 0, 0),
			Date.UTC(2026, 10, 30, 12),
			Date.UTC(2026, 11, 31, 23, 59, 59, 999),
			Date.UTC(2027, 0, 1),
			Date.UTC(1969, 11, 31, 23, 59, 59, 999),
			0,
			Date.UTC(2026, 10, 27, 0, 0, 0, 1)
		];
		for (const at of moments) {
			const keys = periodKeys(at);
			for (const period of BUDGET_PERIODS) expect(keys[period], `${period} at ${new Date(at).toISOString()}`).toBe(periodKey(period, at));
		}
	});

	it('shares one frozen object per day', () => {
		const morning = periodKeys(Date.UTC(2026, 10, 27, 8));
		expect(periodKeys(Date.UTC(2026, 10, 27, 20))).toBe(morning);
		expect(Object.isFrozen(morning)).toBe(true);
		expect(periodKeys(Date.UTC(2026, 10, 28, 0))).not.toBe(morning);
	});
});
