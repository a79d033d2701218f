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

export { newId } from './new-id';
