import type { z } from 'zod';
import { PullResponse, PushResponse } from '../../domain/sync';
import { SyncProtocolError } from './errors';

/**
 * A server's answers are checked like any other input: a row the store cannot hold (a newer server,
 * a proxy rewriting bodies) stops the sync with a clear reason instead of landing in IndexedDB.
 */
function checked<T>(schema: z.ZodType<T>, what: string, value: unknown): T {
	const result = schema.safeParse(value);
	if (result.success) return result.data;
	const issue = result.error.issues[0];
	const where = issue?.path.length ? ` at ${issue.path.join('.')}` : '';
	throw new SyncProtocolError(`The server's ${what} does not match this app's sync protocol${where}: ${issue?.message ?? 'invalid'}.`);
}

export const checkedPull = (value: unknown): PullResponse => checked(PullResponse, 'pull page', value);
export const checkedPush = (value: unknown): PushResponse => checked(PushResponse, 'push answer', value);
