import { TRPCClientError } from '@trpc/client';
import type { PullRequest, PullResponse, PushRequest, PushResponse, SyncServer } from '../domain/sync';
import { SyncNetworkError, SyncUnauthorizedError } from './sync/errors';
import { trpc } from './trpc';

/**
 * The app's SyncServer: sync.push and sync.pull over tRPC. Errors become what the engine acts on —
 * a 401 means the session is gone (keep the outbox, wait for sign-in), no response at all means
 * offline (retry), anything else is the server's error message. Answers are checked against the protocol.
 */
export const trpcSyncServer: SyncServer = {
	push: async (request: PushRequest): Promise<PushResponse> => {
		const [answer, { checkedPush }] = await Promise.all([trpc.sync.push.mutate(request).catch(translate), checks()]);
		return checkedPush(answer);
	},
	pull: async (request: PullRequest): Promise<PullResponse> => {
		const [page, { checkedPull }] = await Promise.all([trpc.sync.pull.query(request).catch(translate), checks()]);
		return checkedPull(page);
	}
};

/** zod is ~25 kB gzip: loaded with the first sync, after the first paint, not in the initial bundle. */
const checks = () => import('./sync/checked-responses');

function translate(error: unknown): never {
	if (error instanceof TRPCClientError) {
		const data = error.data as { code?: string; httpStatus?: number } | undefined;
		if (data?.code === 'UNAUTHORIZED' || data?.httpStatus === 401) throw new SyncUnauthorizedError(undefined, { cause: error });
		// A failed fetch carries no tRPC data: the request never got an answer.
		if (!data) throw new SyncNetworkError(undefined, { cause: error });
	}
	throw error;
}
