import { TRPCClientError } from '@trpc/client';
import type { PullRequest, PullResponse, PushRequest, PushResponse, SyncServer } from '../domain/sync';
import { SyncNetworkError, SyncUnauthorizedError } from './sync/errors';
import { trpc } from './trpc';

/**
 * The app's SyncServer: sync.push and sync.pull over tRPC. Errors become what the engine acts on —
 * a 401 means the session is gone (keep the outbox, wait for sign-in), no response at all means
 * offline (retry), anything else is the server's error message.
 */
export const trpcSyncServer: SyncServer = {
	push: (request: PushRequest): Promise<PushResponse> => trpc.sync.push.mutate(request).catch(translate),
	pull: (request: PullRequest): Promise<PullResponse> => trpc.sync.pull.query(request).catch(translate)
};

function translate(error: unknown): never {
	if (error instanceof TRPCClientError) {
		const data = error.data as { code?: string; httpStatus?: number } | undefined;
		if (data?.code === 'UNAUTHORIZED' || data?.httpStatus === 401) throw new SyncUnauthorizedError(undefined, { cause: error });
		// A failed fetch carries no tRPC data: the request never got an answer.
		if (!data) throw new SyncNetworkError(undefined, { cause: error });
	}
	throw error;
}
