import { z } from 'zod';

/** An upstream model slug such as "anthropic/claude-sonnet-4"; not branded, it comes from the catalog. */
export const ModelId = z.string().min(1).max(200);
export type ModelId = z.infer<typeof ModelId>;
