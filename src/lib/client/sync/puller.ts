import type { SyncServer } from '../../domain/sync';
import { readMeta, type UserStore } from '../store/db';
import { SyncProtocolError } from './errors';
import { applyPull } from './pull-applier';

export interface PullOptions {
	store: UserStore;
	server: SyncServer;
	clientId: string;
	/** Checked between pages, so stopping does not wait for a long initial sync. */
	running: () => boolean;
}

/**
 * Pulls pages from the stored cursor until the server has no more, storing each page (and its
 * new cursor) before asking for the next: an interrupted pull resumes where it stopped.
 */
export async function pullAll({ store, server, clientId, running }: PullOptions): Promise<void> {
	while (running()) {
		const cursor = (await readMeta(store.db, 'cursor')) ?? 0;
		const page = await server.pull({ cursor, clientId });
		await applyPull(store, page, cursor);
		if (!page.more) return;
		if (page.cursor <= cursor) throw new SyncProtocolError('The server has more to send but did not move the cursor.');
	}
}
