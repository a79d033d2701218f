import { eq } from 'drizzle-orm';
import { nanoUsd, type NanoUsd } from '../../src/lib/domain/money';
import type { Db } from '../db/client';
import { teams, users } from '../db/schema';
import type { Ledger } from './ledger';
import type { BudgetPeriod } from './periods';

export interface ScopeUsage {
	spentNanoUsd: NanoUsd;
	reservedNanoUsd: NanoUsd;
	/** Null when no budget applies to the scope. */
	limitNanoUsd: NanoUsd | null;
	period: BudgetPeriod;
	periodKey: string;
}

export interface UsageSummary extends ScopeUsage {
	user: string;
	team: (ScopeUsage & { name: string }) | null;
}

/** A user's spend in their budget's current period, and their team's in its own; null for an unknown user. */
export function usageSummary(db: Db, ledger: Pick<Ledger, 'usage' | 'teamOf'>, userId: string): UsageSummary | null {
	const user = db.select({ username: users.username }).from(users).where(eq(users.id, userId)).get();
	if (!user) return null;
	const teamId = ledger.teamOf(userId);
	const team = teamId ? db.select({ name: teams.name }).from(teams).where(eq(teams.id, teamId)).get() : undefined;
	return {
		user: user.username,
		...scopeUsage(ledger, 'user', userId),
		team: teamId && team ? { name: team.name, ...scopeUsage(ledger, 'team', teamId) } : null
	};
}

export function scopeUsage(ledger: Pick<Ledger, 'usage'>, scope: 'user' | 'team', scopeId: string): ScopeUsage {
	const u = ledger.usage(scope, scopeId);
	return {
		spentNanoUsd: nanoUsd(u.spent),
		reservedNanoUsd: nanoUsd(u.reserved),
		limitNanoUsd: u.limit === null ? null : nanoUsd(u.limit),
		period: u.period,
		periodKey: u.periodKey
	};
}
