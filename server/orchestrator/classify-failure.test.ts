import { APIError } from 'openai';
import { describe, expect, it } from 'vitest';
import { IdleTimeoutError, PrematureEndError, toOrchestratorError } from './classify-failure';

describe('failure reasons', () => {
	const reasons = [
		toOrchestratorError(new APIError(502, { message: 'The provider is down.' }, 'x', new Headers()), 'm/x', false),
		toOrchestratorError(new APIError(429, { message: 'Slow down...' }, 'x', new Headers()), 'm/x', false),
		toOrchestratorError(new APIError(500, { message: 'no full stop' }, 'x', new Headers()), 'm/x', false),
		toOrchestratorError(new APIError(500, undefined, 'x', new Headers()), 'm/x', false),
		toOrchestratorError(new Error('socket hang up.'), 'm/x', true),
		toOrchestratorError(new Error('socket hang up'), 'm/x', true),
		toOrchestratorError(new IdleTimeoutError(), 'm/x', true),
		toOrchestratorError(new PrematureEndError(), 'm/x', true)
	].map((e) => e.message);

	it('end in exactly one full stop, whether or not the provider’s own text has one', () => {
		for (const reason of reasons) {
			expect(reason).toMatch(/[.!?…]$/);
			expect(reason).not.toMatch(/\.\.$/);
		}
		expect(reasons[0]).toBe('m/x: the provider answered 502 — The provider is down.');
		expect(reasons[1]).toBe('m/x: the provider answered 429 — Slow down…');
		expect(reasons[2]).toBe('m/x: the provider answered 500 — no full stop.');
	});
});
