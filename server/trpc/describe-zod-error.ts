import type { ZodError } from 'zod';

/** "content: Too small: expected string to have >=1 characters" — the field first, for people and scripts. */
export function describeZodError(error: ZodError): string {
	return error.issues.map((i) => `${i.path.length ? i.path.join('.') : 'input'}: ${i.message}`).join('; ');
}
