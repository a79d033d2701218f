import { createHash } from 'node:crypto';
import { withoutFaults, type Directives } from './directives';

/**
 * fail-times=K: the first K requests that share a key get their faults, later ones are clean,
 * so retry paths can be tested end to end. Counters live as long as the simulator instance.
 */
export class FailureCounter {
	readonly #seen = new Map<string, number>();

	/** Counts this request under `key`; true while it is still among the first `times`. */
	consume(key: string, times: number): boolean {
		const seen = this.#seen.get(key) ?? 0;
		this.#seen.set(key, seen + 1);
		return seen < times;
	}
}

/** The default key is the full last user message plus the header, hashed so huge prompts are not retained. */
export function failureKey(directives: Directives, message: string, header: string): string {
	if (directives.key !== undefined) return `key:${directives.key}`;
	return createHash('sha256').update(message).update('\u0000').update(header).digest('hex');
}

export function resolveFaults(directives: Directives, key: string, counter: FailureCounter): Directives {
	if (directives.failTimes === undefined) return directives;
	return counter.consume(key, directives.failTimes) ? directives : withoutFaults(directives);
}
