import { describe, expect, it } from 'vitest';
import { timeOrderedId } from './time-ordered-id';

const V7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe('timeOrderedId', () => {
	it('is a UUID version 7 whose first 48 bits are the time in ms', () => {
		const at = Date.UTC(2026, 10, 27, 21, 15, 0, 123);
		const id = timeOrderedId(at);
		expect(id).toMatch(V7);
		expect(Number.parseInt(id.replace('-', '').slice(0, 12), 16)).toBe(at);
	});

	it('sorts by time as text, so later rows land at the right edge of an index', () => {
		const ids = [0, 1, 255, 256, 65_536, 2 ** 40].map((offset) => timeOrderedId(1_700_000_000_000 + offset));
		expect([...ids].sort()).toEqual(ids);
	});

	it('is unique within one millisecond', () => {
		const ids = new Set(Array.from({ length: 10_000 }, () => timeOrderedId(1_700_000_000_000)));
		expect(ids.size).toBe(10_000);
	});
});
