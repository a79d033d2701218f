import { TRPCError } from '@trpc/server';
import { z } from 'zod';
import { messageCost, USAGE_GROUPS, usageReport } from '../ledger/reports';
import { usageSummary } from '../ledger/usage-summary';
import { protectedProcedure, router } from '../trpc/init';

const MessageRef = z.object({ messageId: z.string().min(1).max(64) });

const EpochMs = z.number().int().min(0).max(8.64e15);
const ReportInput = z
	.object({
		groupBy: z.enum(USAGE_GROUPS),
		/** Epoch ms, inclusive. */
		from: EpochMs,
		/** Epoch ms, exclusive. */
		to: EpochMs,
		/** `all` (admins only) is everyone's spend; `own` is the caller's. */
		scope: z.enum(['own', 'all']).default('own')
	})
	.refine((input) => input.to > input.from, { message: 'Must be after from.', path: ['to'] });

export const usageRouter = router({
	/** Model, tokens, billed and estimated cost, latency and source of one of the caller's replies. */
	message: protectedProcedure.input(MessageRef).query(({ ctx, input }) => {
		const cost = messageCost(ctx.services.db, input.messageId, ctx.user.id);
		// Someone else's message and no message look the same: ids reveal nothing.
		if (!cost) throw new TRPCError({ code: 'NOT_FOUND', message: 'No such reply.' });
		return cost;
	}),

	/** Billed spend in [from, to), grouped; only the caller's own unless an admin asks for all. */
	report: protectedProcedure.input(ReportInput).query(({ ctx, input }) => {
		if (input.scope === 'all' && !ctx.user.isAdmin) {
			throw new TRPCError({ code: 'FORBIDDEN', message: "Only an admin can see everyone's usage." });
		}
		return usageReport(ctx.services.db, {
			groupBy: input.groupBy,
			from: input.from,
			to: input.to,
			...(input.scope === 'all' ? {} : { userId: ctx.user.id })
		});
	}),

	/** The caller's spend against their budget, and their team's against its own. */
	me: protectedProcedure.query(({ ctx }) => {
		const summary = usageSummary(ctx.services.db, ctx.services.metering.ledger, ctx.user.id);
		if (!summary) throw new TRPCError({ code: 'NOT_FOUND', message: 'This user no longer exists.' });
		return summary;
	})
});
