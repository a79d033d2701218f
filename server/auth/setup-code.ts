import { randomInt } from 'node:crypto';
import { safeEqual } from './tokens';

// No 0/O/1/I/L: the code is read off a terminal and typed by a person.
const ALPHABET = 'ABCDEFGHJKMNPQRSTUVWXYZ23456789';

/** Formats as XXXX-XXXX-XXXX: 60 bits, enough for a code that lives only until the first admin exists. */
export function generateSetupCode(): string {
	const chars = Array.from({ length: 12 }, () => ALPHABET[randomInt(ALPHABET.length)]);
	return [chars.slice(0, 4), chars.slice(4, 8), chars.slice(8)].map((g) => g.join('')).join('-');
}

/** Users type it with or without dashes, in any case. */
export function normalizeSetupCode(input: string): string {
	const bare = input.toUpperCase().replace(/[^A-Z0-9]/g, '');
	return bare.match(/.{1,4}/g)?.join('-') ?? '';
}

/**
 * The one-time code that proves the first admin has access to the server's log.
 * It exists only in memory, only while there is no user, and is spent by its first use.
 */
export class SetupCode {
	#code: string | null = null;

	issue(): string {
		this.#code = generateSetupCode();
		return this.#code;
	}

	get pending(): boolean {
		return this.#code !== null;
	}

	matches(input: string): boolean {
		return this.#code !== null && safeEqual(normalizeSetupCode(input), this.#code);
	}

	/** Spends the code when it matches; a wrong guess leaves it in place. */
	consume(input: string): boolean {
		if (!this.matches(input)) return false;
		this.#code = null;
		return true;
	}
}
