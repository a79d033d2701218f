import { eq, sql } from 'drizzle-orm';
import { nanoUsd, type NanoUsd } from '../../src/lib/domain/money';
import type { Db } from '../db/client';
import { budgets, teams, users } from '../db/schema';
import type { Ledger } from './ledger';
import type { BudgetPeriod } from './periods';
import { scopeUsage } from './usage-summary';

export interface BudgetListing {
	scope: 'user' | 'team';
	/** The username or team name, as the budget commands take it. */
	name: string;
	period: BudgetPeriod;
	limitNanoUsd: NanoUsd;
	alertThresholds: number[];
	/** Spend and reservations in the budget's current period. */
	spentNanoUsd: NanoUsd;
	reservedNanoUsd: NanoUsd;
	periodKey: string;
	updatedAt: number;
}

/** Every budget with the name it is set by, teams first, then by name. */
export function listBudgets(db: Db, ledger: Pick<Ledger, 'usage'>): BudgetListing[] {
	const rows = db
		.select({
			scope: budgets.scope,
			scopeId: budgets.scopeId,
			// A budget whose user or team is gone still shows, by its id.
			name: sql<string>`coalesce(${users.username}, ${teams.name}, ${budgets.scopeId})`,
			period: budgets.period,
			limitNanoUsd: budgets.limitNanoUsd,
			alertThresholds: budgets.alertThresholds,
			updatedAt: budgets.updatedAt
		})
		.from(budgets)
		.leftJoin(users, sql`${budgets.scope} = 'user' AND ${eq(users.id, budgets.scopeId)}`)
		.leftJoin(teams, sql`${budgets.scope} = 'team' AND ${eq(teams.id, budgets.scopeId)}`)
		.all();
	rows.sort((a, b) => (a.scope === b.scope ? a.name.localeCompare(b.name) : a.scope === 'team' ? -1 : 1));
	return rows.map(({ scopeId, limitNanoUsd, ...row }) => {
		const usage = scopeUsage(ledger, row.scope, scopeId);
		return { ...row, limitNanoUsd: nanoUsd(limitNanoUsd), spentNanoUsd: usage.spentNanoUsd, reservedNanoUsd: usage.reservedNanoUsd, periodKey: usage.periodKey };
	});
}
