import { z } from 'zod';

// Brands stop a MessageId from being passed where a ConversationId is expected; the length
// bound keeps ids cheap to index and log, and admits both newId() and randomUUID() output.
const idString = z.string().min(1).max(64);

export const UserId = idString.brand<'UserId'>();
export type UserId = z.infer<typeof UserId>;
export const ConversationId = idString.brand<'ConversationId'>();
export type ConversationId = z.infer<typeof ConversationId>;
export const MessageId = idString.brand<'MessageId'>();
export type MessageId = z.infer<typeof MessageId>;
export const GenerationId = idString.brand<'GenerationId'>();
export type GenerationId = z.infer<typeof GenerationId>;
export const LedgerEntryId = idString.brand<'LedgerEntryId'>();
export type LedgerEntryId = z.infer<typeof LedgerEntryId>;

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
