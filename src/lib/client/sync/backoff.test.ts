import { describe, expect, it } from 'vitest';
import { backoffDelay } from './backoff';

describe('backoffDelay', () => {
	it('draws from [0, ceiling) with the ceiling doubling from 500 ms up to 30 s', () => {
		const top = () => 0.999_999;
		expect([0, 1, 2, 3, 4, 5, 6, 7, 50].map((attempt) => Math.round(backoffDelay(attempt, top) / 10) * 10)).toEqual([
			500, 1000, 2000, 4000, 8000, 16_000, 30_000, 30_000, 30_000
		]);
		expect(backoffDelay(3, () => 0)).toBe(0);
		expect(backoffDelay(1, () => 0.5)).toBe(500);
	});

	it('takes other bounds', () => {
		expect(backoffDelay(10, () => 0.5, { initialMs: 10, maxMs: 100 })).toBe(50);
	});
});
