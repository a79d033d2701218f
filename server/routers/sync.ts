import { TRPCError } from '@trpc/server';
import { PullRequest, PushRequest } from '../../src/lib/domain/sync';
import { pull } from '../sync/pull';
import { ForeignClientError, push } from '../sync/push';
import { protectedProcedure, router } from '../trpc/init';

function forbiddenIfForeign(error: unknown): never {
	if (error instanceof ForeignClientError) throw new TRPCError({ code: 'FORBIDDEN', message: error.message });
	throw error;
}

/** The local-first protocol (docs/architecture.md#sync): a device pushes its mutations and pulls what changed. */
export const syncRouter = router({
	push: protectedProcedure.input(PushRequest).mutation(({ ctx, input }) => {
		const { db, metering, jobs, bus, log } = ctx.services;
		return push({ db, writer: metering.writer, jobs, bus, log }, ctx.user.id, input).catch(forbiddenIfForeign);
	}),

	pull: protectedProcedure.input(PullRequest).query(({ ctx, input }) => {
		try {
			return pull(ctx.services.db, ctx.user.id, input);
		} catch (error) {
			forbiddenIfForeign(error);
		}
	})
});
