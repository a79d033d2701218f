import { z } from 'zod';
import { PUSH_MAX_MUTATIONS } from './limits';
import { ConversationRow, GenerationRow, MessageRow, RejectionRow, RowId, Version } from './rows';

export { PUSH_MAX_MUTATIONS, PULL_PAGE_ROWS } from './limits';

/** The envelope is checked here; each mutation's args are checked by the server on their own. */
export const PushRequest = z.object({
	clientId: RowId,
	mutations: z
		.array(
			z.object({
				id: z.int().positive(),
				name: z.string().min(1).max(64),
				args: z.unknown()
			})
		)
		.max(PUSH_MAX_MUTATIONS)
});
export type PushRequest = z.infer<typeof PushRequest>;

export const PushResponse = z.object({
	/** The highest mutation id of this client the server has processed (applied or rejected). */
	lastMutationId: z.int().nonnegative(),
	rejected: z.array(z.object({ id: z.int().positive(), reason: z.string() }))
});
export type PushResponse = z.infer<typeof PushResponse>;

export const PullRequest = z.object({
	cursor: Version,
	/** The caller's client id: the response then says how far its mutations have been processed. */
	clientId: RowId.optional()
});
export type PullRequest = z.infer<typeof PullRequest>;

/**
 * The user's rows with `version > cursor` (tombstones included), at most PULL_PAGE_ROWS, in
 * version order. `lastMutationId` is read in the same snapshot as the rows: outbox entries up to
 * it are reflected in them.
 */
export const PullResponse = z.object({
	cursor: Version,
	more: z.boolean(),
	lastMutationId: z.int().nonnegative(),
	conversations: z.array(ConversationRow),
	messages: z.array(MessageRow),
	generations: z.array(GenerationRow),
	rejections: z.array(RejectionRow)
});
export type PullResponse = z.infer<typeof PullResponse>;

/** What a sync engine needs from a server: the tRPC client in the app, an in-memory twin in tests. */
export interface SyncServer {
	push(request: PushRequest): Promise<PushResponse>;
	pull(request: PullRequest): Promise<PullResponse>;
}
