/**
 * Limits sign-in attempts. An attempt counts from the moment it starts, not when its password
 * check ends, so forty concurrent guesses meet the same limit as forty sequential ones.
 *
 * - Per address and username: `pairLimit` attempts a window, then that address is refused for
 *   that username until the window slides. Only the guesser is locked out.
 * - Per address: `addressLimit` attempts a window over all usernames (a spray), then refused.
 * - Per username, from every address together: past `userLimit` attempts a window, the username
 *   is slowed to one attempt per `slowIntervalMs`, never locked — and addresses that have signed
 *   in as that user before are not slowed at all, so a distributed guesser cannot lock a user out.
 * - Per address, at most `maxInFlight` attempts at once: a burst cannot queue hundreds of scrypt
 *   hashes in front of everyone else's sign-in.
 */
export interface ThrottleLimits {
	pairLimit: number;
	addressLimit: number;
	userLimit: number;
	windowMs: number;
	slowIntervalMs: number;
	maxInFlight: number;
}

export const DEFAULT_LIMITS: ThrottleLimits = {
	pairLimit: 10,
	addressLimit: 100,
	userLimit: 20,
	windowMs: 15 * 60 * 1000,
	slowIntervalMs: 10_000,
	maxInFlight: 2
};

/** Memory stays bounded under a spray of usernames or addresses: the oldest keys go first. */
const MAX_KEYS = 20_000;
/** Addresses that signed in as a user are remembered this long (and at most this many per user). */
const KNOWN_ADDRESS_MS = 30 * 24 * 60 * 60 * 1000;
const KNOWN_ADDRESSES_PER_USER = 16;

export type Refusal = { retryAfterMs: number; reason: 'locked' | 'slowed' | 'busy' };

export interface Attempt {
	/** This address has signed in as this user before (its hashing goes first: see HashSlots). */
	readonly knownAddress: boolean;
	/** The password was right: the attempt no longer counts against anyone. */
	succeed(): void;
	/** The password was wrong: the attempt keeps counting. */
	fail(): void;
	/** The check could not run (the server was busy): the attempt does not count. */
	abandon(): void;
}

export class LoginThrottle {
	#attempts = new Map<string, number[]>();
	#inFlight = new Map<string, number>();
	#slowedUntil = new Map<string, number>();
	#known = new Map<string, Map<string, number>>();

	constructor(
		private readonly limits: ThrottleLimits = DEFAULT_LIMITS,
		private readonly now: () => number = Date.now
	) {}

	/** Starts an attempt, or says why not and for how long. Synchronous: no await between check and count. */
	begin(address: string, username: string): Attempt | Refusal {
		const t = this.now();
		const user = username.toLowerCase();
		const keys = { pair: `pair:${address}\n${user}`, address: `ip:${address}`, user: `user:${user}` };
		const { pairLimit, addressLimit, userLimit, windowMs, slowIntervalMs, maxInFlight } = this.limits;

		if ((this.#inFlight.get(address) ?? 0) >= maxInFlight) return { retryAfterMs: 1_000, reason: 'busy' };
		const locked = Math.max(this.#lockedFor(keys.pair, pairLimit, t), this.#lockedFor(keys.address, addressLimit, t));
		if (locked > 0) return { retryAfterMs: locked, reason: 'locked' };
		const known = this.#isKnown(user, address, t);
		if (!known && this.#recent(keys.user, t).length >= userLimit) {
			const until = this.#slowedUntil.get(user) ?? 0;
			if (until > t) return { retryAfterMs: until - t, reason: 'slowed' };
			this.#slowedUntil.set(user, t + slowIntervalMs);
		}

		for (const key of Object.values(keys)) this.#record(key, t, windowMs);
		this.#inFlight.set(address, (this.#inFlight.get(address) ?? 0) + 1);
		let settled = false;
		const settle = () => {
			if (settled) return false;
			settled = true;
			const left = (this.#inFlight.get(address) ?? 1) - 1;
			if (left > 0) this.#inFlight.set(address, left);
			else this.#inFlight.delete(address);
			return true;
		};
		const uncount = () => {
			for (const key of Object.values(keys)) this.#forget(key, t);
		};
		return {
			knownAddress: known,
			succeed: () => {
				if (!settle()) return;
				uncount();
				this.#attempts.delete(keys.pair);
				this.#remember(user, address, t);
			},
			fail: () => void settle(),
			abandon: () => {
				if (settle()) uncount();
			}
		};
	}

	#lockedFor(key: string, limit: number, t: number): number {
		const recent = this.#recent(key, t);
		return recent.length >= limit ? (recent[recent.length - limit] as number) + this.limits.windowMs - t : 0;
	}

	#recent(key: string, t: number): number[] {
		const all = this.#attempts.get(key);
		if (!all) return [];
		const recent = all.filter((at) => at > t - this.limits.windowMs);
		if (recent.length !== all.length) this.#attempts.set(key, recent);
		return recent;
	}

	#record(key: string, t: number, windowMs: number): void {
		const recent = (this.#attempts.get(key) ?? []).filter((at) => at > t - windowMs);
		recent.push(t);
		// Re-inserted so the map's order is least recently used first.
		this.#attempts.delete(key);
		this.#attempts.set(key, recent);
		while (this.#attempts.size > MAX_KEYS) this.#attempts.delete(this.#attempts.keys().next().value as string);
	}

	/** Removes one attempt made at `t` (the one that just succeeded). */
	#forget(key: string, t: number): void {
		const list = this.#attempts.get(key);
		const i = list?.lastIndexOf(t) ?? -1;
		if (list && i >= 0) list.splice(i, 1);
	}

	#isKnown(user: string, address: string, t: number): boolean {
		const at = this.#known.get(user)?.get(address);
		return at !== undefined && at > t - KNOWN_ADDRESS_MS;
	}

	#remember(user: string, address: string, t: number): void {
		const addresses = this.#known.get(user) ?? new Map<string, number>();
		addresses.delete(address);
		addresses.set(address, t);
		while (addresses.size > KNOWN_ADDRESSES_PER_USER) addresses.delete(addresses.keys().next().value as string);
		this.#known.delete(user);
		this.#known.set(user, addresses);
		while (this.#known.size > MAX_KEYS) this.#known.delete(this.#known.keys().next().value as string);
	}
}

export function isRefusal(result: Attempt | Refusal): result is Refusal {
	return 'reason' in result;
}
