import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';
import { HashSlots } from './hash-slots';

// OWASP's scrypt floor (N=2^17, r=8, p=1) costs ~128 MiB and ~250 ms per hash on these cores,
// which makes login a denial-of-service lever on a 2-core box; N=2^15 keeps ~50 ms and 32 MiB.
const PARAMS = { N: 2 ** 15, r: 8, p: 1, keylen: 32 } as const;
const MAXMEM = 64 * 1024 * 1024;

const slots = new HashSlots();

function derive(password: string, salt: Buffer, p: { N: number; r: number; p: number; keylen: number }, priority = false): Promise<Buffer> {
	const options: ScryptOptions = { N: p.N, r: p.r, p: p.p, maxmem: MAXMEM };
	return slots.run(
		() =>
			new Promise((resolve, reject) =>
				scrypt(password.normalize('NFKC'), salt, p.keylen, options, (err, key) => (err ? reject(err) : resolve(key)))
			),
		priority
	);
}

/** `scrypt$N$r$p$salt$hash` (base64url): parameters travel with the hash so they can be raised later. */
export async function hashPassword(password: string): Promise<string> {
	const salt = randomBytes(16);
	const key = await derive(password, salt, PARAMS);
	return ['scrypt', PARAMS.N, PARAMS.r, PARAMS.p, salt.toString('base64url'), key.toString('base64url')].join('$');
}

/** `priority`: a sign-in from an address this user signed in from before (see HashSlots). */
export async function verifyPassword(password: string, stored: string, priority = false): Promise<boolean> {
	const parts = stored.split('$');
	if (parts.length !== 6 || parts[0] !== 'scrypt') return false;
	const [, n, r, p, salt, hash] = parts as [string, string, string, string, string, string];
	const expected = Buffer.from(hash, 'base64url');
	const key = await derive(password, Buffer.from(salt, 'base64url'), {
		N: Number(n),
		r: Number(r),
		p: Number(p),
		keylen: expected.length
	}, priority);
	return key.length === expected.length && timingSafeEqual(key, expected);
}

/**
 * Compared against when the username is unknown, so a miss costs the same scrypt as a hit
 * and response time does not tell which usernames exist.
 */
export const DUMMY_HASH_PROMISE: Promise<string> = hashPassword(randomBytes(16).toString('hex'));
