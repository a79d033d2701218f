import { randomBytes } from 'node:crypto';

/** Same look as OpenRouter's ids; random so ids from several simulator instances never collide in one ledger. */
export function newGenerationId(nowSeconds: number): string {
	return `gen-${nowSeconds}-${randomBytes(15).toString('base64url')}`;
}
