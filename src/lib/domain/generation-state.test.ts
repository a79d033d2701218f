import { describe, expect, it } from 'vitest';
import { GenerationState, canTransition, isTerminal } from './generation-state';

const ALLOWED = new Set([
	'requested→running',
	'requested→cancelled',
	'requested→failed',
	'running→done',
	'running→cancelled',
	'running→failed'
]);

describe('generation state machine', () => {
	it('allows exactly the documented transitions', () => {
		for (const from of GenerationState.options) {
			for (const to of GenerationState.options) {
				expect(canTransition(from, to), `${from}→${to}`).toBe(ALLOWED.has(`${from}→${to}`));
			}
		}
	});

	it('knows the terminal states', () => {
		expect(GenerationState.options.filter(isTerminal)).toEqual(['done', 'cancelled', 'failed']);
	});
});
