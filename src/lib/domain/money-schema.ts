import { z } from 'zod';
import { nanoUsd, type NanoUsd } from './nano-usd';

/** A nano-USD amount on the wire: any safe integer (negative for corrections), branded on parse. */
export const NanoUsdSchema = z.int().transform((n): NanoUsd => nanoUsd(n));
