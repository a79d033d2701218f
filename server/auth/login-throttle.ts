/**
 * Counts failed sign-ins per key (username, and client address) in a sliding window.
 * Past the limit, further attempts are refused before any password check, so guessing
 * is slow and the scrypt cost cannot be used to load the server.
 */
export class LoginThrottle {
	#failures = new Map<string, number[]>();

	constructor(
		private readonly limit = 10,
		private readonly windowMs = 15 * 60 * 1000,
		private readonly now: () => number = Date.now
	) {}

	/** Milliseconds until the key may try again, or 0 when it may try now. */
	retryAfter(keys: string[]): number {
		const t = this.now();
		let wait = 0;
		for (const key of keys) {
			const recent = this.#recent(key, t);
			if (recent.length >= this.limit) wait = Math.max(wait, (recent[0] as number) + this.windowMs - t);
		}
		return wait;
	}

	fail(keys: string[]): void {
		const t = this.now();
		for (const key of keys) this.#failures.set(key, [...this.#recent(key, t), t]);
		// Bounded memory under a spray of usernames: forget the oldest keys first.
		while (this.#failures.size > 10_000) this.#failures.delete(this.#failures.keys().next().value as string);
	}

	succeed(keys: string[]): void {
		for (const key of keys) this.#failures.delete(key);
	}

	#recent(key: string, t: number): number[] {
		return (this.#failures.get(key) ?? []).filter((at) => at > t - this.windowMs);
	}
}
