import type { SyncServer } from '../../domain/sync';
import { PUSH_MAX_BYTES, PUSH_MAX_MUTATIONS } from '../../domain/sync/limits';
import type { UserStore } from '../store/db';
import { SyncProtocolError } from './errors';
import { storePushRejections } from './push-rejections';

export interface PushOptions {
	store: UserStore;
	server: SyncServer;
	clientId: string;
	/**
	 * The highest mutation id the server has confirmed processing: only later ones are sent. Updated
	 * in place after each batch, so a failure in a later batch does not resend the confirmed ones.
	 */
	acked: { through: number };
	now: () => number;
	/** Checked between batches, so stopping does not wait for a long outbox. */
	running: () => boolean;
}

/**
 * Pushes the outbox in id order, PUSH_MAX_MUTATIONS at a time, reading the table before each batch
 * (other tabs may have added to it). Accepted entries stay in the outbox:
 * the pull that brings their effect removes them in the same transaction. Rejected ones leave now,
 * with their reason stored.
 */
export async function pushOutbox({ store, server, clientId, acked, now, running }: PushOptions): Promise<void> {
	while (running()) {
		const read = await store.db.outbox.where('id').above(acked.through).limit(PUSH_MAX_MUTATIONS).toArray();
		const first = read[0];
		if (first === undefined) break;
		const batch = withinBytes(read);
		const mutations = batch.map(({ id, name, args }) => ({ id, name, args }));
		const response = await server.push({ clientId, mutations });
		if (response.lastMutationId < first.id) {
			// The server lost track of this client (e.g. restored from a backup): pushing again cannot help.
			throw new SyncProtocolError(
				`The server has this device's changes up to #${response.lastMutationId} but the next one here is #${first.id}.`
			);
		}
		acked.through = Math.max(acked.through, response.lastMutationId);
		await storePushRejections(store, clientId, batch, response.rejected, now());
	}
}

/**
 * The longest prefix that stays under the server's body limit (imports carry long texts); always at
 * least one mutation — a single one is bounded well below the limit by its own schema.
 */
function withinBytes<T extends { id: number; name: string; args: unknown }>(entries: T[]): T[] {
	const encoder = new TextEncoder();
	let bytes = 0;
	const out: T[] = [];
	for (const entry of entries) {
		bytes += encoder.encode(JSON.stringify(entry.args)).length + entry.name.length + 32;
		if (out.length > 0 && bytes > PUSH_MAX_BYTES) break;
		out.push(entry);
	}
	return out;
}
