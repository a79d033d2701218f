// 64 symbols, so `byte & 63` maps random bytes uniformly (no modulo bias).
const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
const ID_LENGTH = 21; // 126 random bits: collisions are not a practical concern.

/**
 * A URL-safe random id. Clients mint ids offline (the outbox needs them before the server has
 * seen the row), so ids are random rather than sequential. Web Crypto exists in browsers and Node 20.
 */
export function newId(): string {
	const bytes = globalThis.crypto.getRandomValues(new Uint8Array(ID_LENGTH));
	let id = '';
	for (const byte of bytes) id += ALPHABET.charAt(byte & 63);
	return id;
}
