/** Timers the engine uses; tests pass a manual one so no test waits on the wall clock. */
export interface Scheduler {
	setTimeout(run: () => void, ms: number): unknown;
	clearTimeout(handle: unknown): void;
}

export const realScheduler: Scheduler = {
	setTimeout: (run, ms) => globalThis.setTimeout(run, ms),
	clearTimeout: (handle) => globalThis.clearTimeout(handle as ReturnType<typeof globalThis.setTimeout>)
};

export interface BackoffOptions {
	/** The ceiling of the first retry's delay. */
	initialMs: number;
	/** The ceiling never grows past this. */
	maxMs: number;
}

export const DEFAULT_BACKOFF: BackoffOptions = { initialMs: 500, maxMs: 30_000 };

/**
 * Exponential backoff with full jitter: a delay drawn uniformly from [0, min(max, initial·2^attempt)).
 * The randomness spreads the retries of many clients that lost the server at the same moment.
 * `attempt` counts the failures before this one (0 for the first retry).
 */
export function backoffDelay(attempt: number, random: () => number, options: BackoffOptions = DEFAULT_BACKOFF): number {
	const ceiling = Math.min(options.maxMs, options.initialMs * 2 ** Math.min(attempt, 52));
	return Math.floor(random() * ceiling);
}
