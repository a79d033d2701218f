import { TRPCError } from '@trpc/server';
import { listBudgets } from '../ledger/budget-list';
import { BudgetInput, NotFoundError, removeBudget, setBudget } from '../ledger/budgets';
import { adminProcedure, router } from '../trpc/init';

const BudgetRef = BudgetInput.pick({ scope: true, name: true });

/** The service names what is missing ("No team named …"); the caller gets that message as a 404. */
function orNotFound<T>(action: () => T): T {
	try {
		return action();
	} catch (error) {
		if (error instanceof NotFoundError) throw new TRPCError({ code: 'NOT_FOUND', message: error.message, cause: error });
		throw error;
	}
}

export const budgetsRouter = router({
	/** Creates or replaces the budget of a user or a team (by username or team name). */
	set: adminProcedure.input(BudgetInput).mutation(({ ctx, input }) => {
		const budget = orNotFound(() => setBudget(ctx.services.db, input));
		return {
			scope: budget.scope,
			name: input.name,
			period: budget.period,
			limitNanoUsd: budget.limitNanoUsd,
			alertThresholds: budget.alertThresholds
		};
	}),

	remove: adminProcedure.input(BudgetRef).mutation(({ ctx, input }) => ({
		removed: orNotFound(() => removeBudget(ctx.services.db, input.scope, input.name))
	})),

	list: adminProcedure.query(({ ctx }) => listBudgets(ctx.services.db, ctx.services.metering.ledger))
});
