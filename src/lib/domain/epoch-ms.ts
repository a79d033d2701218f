import { z } from 'zod';

/** Milliseconds since the Unix epoch, as Date.now() gives and SQLite stores (integer). */
export const EpochMs = z.int().nonnegative();
export type EpochMs = z.infer<typeof EpochMs>;
