import type { OutboxEntry } from './db';

/** Queued mutations apply in id order, as the server will apply them. */
export function inMutationOrder(outbox: readonly OutboxEntry[]): OutboxEntry[] {
	return [...outbox].sort((a, b) => a.id - b.id);
}
