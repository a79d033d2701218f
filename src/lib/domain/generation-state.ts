import { z } from 'zod';

export const GenerationState = z.enum(['requested', 'running', 'done', 'cancelled', 'failed']);
export type GenerationState = z.infer<typeof GenerationState>;

// Exactly one terminal state per generation (DESIGN §3): terminal states have no way out, and a
// generation may be cancelled or fail before it ever starts running (e.g. budget refused).
const NEXT: Readonly<Record<GenerationState, readonly GenerationState[]>> = {
	requested: ['running', 'cancelled', 'failed'],
	running: ['done', 'cancelled', 'failed'],
	done: [],
	cancelled: [],
	failed: []
};

export const TERMINAL_GENERATION_STATES: readonly GenerationState[] = ['done', 'cancelled', 'failed'];

export function isTerminal(state: GenerationState): boolean {
	return NEXT[state].length === 0;
}

export function canTransition(from: GenerationState, to: GenerationState): boolean {
	return NEXT[from].includes(to);
}
