import type { SyncServer } from '../../domain/sync';
import { PUSH_MAX_MUTATIONS } from '../../domain/sync/limits';
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
		const batch = await store.db.outbox.where('id').above(acked.through).limit(PUSH_MAX_MUTATIONS).toArray();
		const first = batch[0];
		if (first === undefined) break;
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
