import { and, eq } from 'drizzle-orm';
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { parseUsd, type NanoUsd } from '../../src/lib/domain/money';
import type { Db } from '../db/client';
import { budgets, teamMembers, teams, users } from '../db/schema';
import { BUDGET_PERIODS } from './periods';

export const DEFAULT_ALERT_THRESHOLDS = [80, 100];

export const BudgetInput = z.object({
	scope: z.enum(['user', 'team']),
	/** A username or a team name. */
	name: z.string().trim().min(1).max(64),
	limitUsd: z
		.string()
		.trim()
		// Each check aborts on failure: parseUsd throws on text the earlier checks reject.
		.regex(/^\d+(\.\d{1,9})?$/, { message: 'Give the limit in USD, e.g. 20 or 12.50.', abort: true })
		.refine((v) => /^0*\d{1,6}(\.|$)/.test(v), { message: 'The limit must be under $1,000,000.', abort: true })
		.refine((v) => parseUsd(v) > 0, 'The limit must be more than zero.'),
	period: z.enum(BUDGET_PERIODS as ['day', 'month', 'total']),
	alertThresholds: z.array(z.number().int().min(1).max(1000)).max(10).optional()
});
export type BudgetInput = z.infer<typeof BudgetInput>;

export class NotFoundError extends Error {
	override name = 'NotFoundError';
}

/** The id of a user (by username) or team (by name); throws NotFoundError naming what is missing. */
export function resolveScope(db: Db, scope: 'user' | 'team', name: string): string {
	if (scope === 'user') {
		const user = db.select({ id: users.id }).from(users).where(eq(users.usernameKey, name.toLowerCase())).get();
		if (!user) throw new NotFoundError(`No user named "${name}".`);
		return user.id;
	}
	const team = db.select({ id: teams.id }).from(teams).where(eq(teams.name, name)).get();
	if (!team) throw new NotFoundError(`No team named "${name}". Create it with: npm run admin -- team add ${name}`);
	return team.id;
}

/** Creates or replaces the budget of a user or team. Spend so far keeps counting. */
export function setBudget(db: Db, input: BudgetInput) {
	const scopeId = resolveScope(db, input.scope, input.name);
	const now = Date.now();
	const row = {
		scope: input.scope,
		scopeId,
		period: input.period,
		limitNanoUsd: parseUsd(input.limitUsd) as number,
		alertThresholds: [...new Set(input.alertThresholds ?? DEFAULT_ALERT_THRESHOLDS)].sort((a, b) => a - b),
		updatedAt: now
	};
	db.insert(budgets)
		.values({ id: randomUUID(), createdAt: now, ...row })
		.onConflictDoUpdate({ target: [budgets.scope, budgets.scopeId], set: row })
		.run();
	return db.select().from(budgets).where(and(eq(budgets.scope, input.scope), eq(budgets.scopeId, scopeId))).get() as typeof budgets.$inferSelect & { limitNanoUsd: NanoUsd };
}

export function removeBudget(db: Db, scope: 'user' | 'team', name: string): boolean {
	const scopeId = resolveScope(db, scope, name);
	return db.delete(budgets).where(and(eq(budgets.scope, scope), eq(budgets.scopeId, scopeId))).run().changes > 0;
}

export function createTeam(db: Db, name: string): string {
	const id = randomUUID();
	db.insert(teams).values({ id, name, createdAt: Date.now() }).run();
	return id;
}

/** Puts a user in a team, moving them out of any other (a user has one team). */
export function addTeamMember(db: Db, teamName: string, username: string): void {
	const teamId = resolveScope(db, 'team', teamName);
	const userId = resolveScope(db, 'user', username);
	db.insert(teamMembers).values({ teamId, userId }).onConflictDoUpdate({ target: teamMembers.userId, set: { teamId } }).run();
}
