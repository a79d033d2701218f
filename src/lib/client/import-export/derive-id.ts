/** Where imported rows come from: part of every derived id, so two sources never share one. */
export type ImportSource = 'phosphor' | 'chatgpt';

// The same URL-safe alphabet as newId(): derived ids look like minted ones.
const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
/** 27 base64url characters: 162 bits of the hash. With the prefix, 28 characters (RowId allows 64). */
const HASH_CHARS = 27;
/** Random ids (newId) are 21 characters long, so a 28-character id starting with 'i' is recognisably imported. */
const PREFIX = 'i';

/**
 * The id an imported row takes: 'i' + base64url(SHA-256(`${userId}\n${source}\n${originalId}`)),
 * cut to 27 characters. Row ids are global primary keys on the server, so the user is part of the
 * hash: two people importing the same file do not collide. Deterministic, so importing the same
 * file twice names the same rows (and the server skips ids it has). Web Crypto: browsers and Node 20.
 */
export async function deriveId(userId: string, source: ImportSource, originalId: string): Promise<string> {
	const input = new TextEncoder().encode(`${userId}\n${source}\n${originalId}`);
	const digest = new Uint8Array(await globalThis.crypto.subtle.digest('SHA-256', input));
	return PREFIX + base64url(digest).slice(0, HASH_CHARS);
}

/** The original id of a message inside its conversation: message ids of a source are only unique per conversation. */
export function messageKey(conversationOriginalId: string, messageOriginalId: string): string {
	return `${conversationOriginalId}/${messageOriginalId}`;
}

function base64url(bytes: Uint8Array): string {
	let out = '';
	let i = 0;
	for (; i + 2 < bytes.length; i += 3) {
		const n = ((bytes[i] as number) << 16) | ((bytes[i + 1] as number) << 8) | (bytes[i + 2] as number);
		out += ALPHABET.charAt((n >> 18) & 63) + ALPHABET.charAt((n >> 12) & 63) + ALPHABET.charAt((n >> 6) & 63) + ALPHABET.charAt(n & 63);
	}
	const rest = bytes.length - i;
	if (rest > 0) {
		const n = ((bytes[i] as number) << 16) | (rest === 2 ? (bytes[i + 1] as number) << 8 : 0);
		out += ALPHABET.charAt((n >> 18) & 63) + ALPHABET.charAt((n >> 12) & 63);
		if (rest === 2) out += ALPHABET.charAt((n >> 6) & 63);
	}
	return out;
}
