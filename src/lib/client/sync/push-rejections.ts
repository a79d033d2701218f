import type { PushResponse, RejectionRow } from '../../domain/sync';
import type { OutboxEntry, UserStore } from '../store/db';
import { putNewer } from './pull-applier';

/**
 * Records the mutations a push response rejected and drops them from the outbox, in one
 * transaction, so the UI shows the reason and stops showing the change at the same moment.
 * Rows get version 0: the server's own rejection row, pulled later, replaces them. Accepted
 * mutations stay in the outbox until a pull brings their effect (no flicker in between).
 */
export async function storePushRejections(
	store: UserStore,
	clientId: string,
	batch: readonly OutboxEntry[],
	rejected: PushResponse['rejected'],
	now: number
): Promise<void> {
	if (rejected.length === 0) return;
	const names = new Map(batch.map((entry) => [entry.id, entry.name]));
	const rows: RejectionRow[] = rejected.map(({ id, reason }) => ({
		clientId,
		mutationId: id,
		name: names.get(id) ?? 'unknown',
		reason,
		createdAt: now,
		version: 0
	}));
	const db = store.db;
	await db.transaction('rw', db.rejections, db.outbox, async () => {
		await putNewer(db.rejections, rows, false, (row): [string, number] => [row.clientId, row.mutationId]);
		await db.outbox.bulkDelete(rejected.map(({ id }) => id));
	});
}
