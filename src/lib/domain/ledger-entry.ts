import { z } from 'zod';
import { EpochMs } from './epoch-ms';
import { GenerationId, LedgerEntryId, UserId } from './ids';
import { ModelId } from './model-id';
import { NanoUsdSchema } from './money-schema';

// Append-only: a settlement replaces a reservation and a correction amends an entry by adding a
// new row, never by editing one (DESIGN §2).
export const LedgerEntryKind = z.enum(['reservation', 'settlement', 'release', 'correction']);
export type LedgerEntryKind = z.infer<typeof LedgerEntryKind>;

/** Where a billed amount came from; `estimate` entries are reconciled later. null for reservations. */
export const LedgerSource = z.enum(['provider', 'generation-lookup', 'estimate']);
export type LedgerSource = z.infer<typeof LedgerSource>;

export const LedgerEntry = z.object({
	id: LedgerEntryId,
	userId: UserId,
	generationId: GenerationId.nullable(),
	kind: LedgerEntryKind,
	/** May be negative (corrections). */
	amountNanoUsd: NanoUsdSchema,
	source: LedgerSource.nullable(),
	model: ModelId.nullable(),
	createdAt: EpochMs
});
export type LedgerEntry = z.infer<typeof LedgerEntry>;
