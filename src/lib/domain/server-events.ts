/** Budget periods: UTC calendar days and months, or all time. */
export type BudgetPeriod = 'day' | 'month' | 'total';

/** Spend crossed one of a budget's thresholds (once per budget, threshold and period). */
export interface BudgetAlert {
	budgetId: string;
	scope: 'user' | 'team';
	scopeId: string;
	/** Everyone who must see it: the user, or every member of the team. */
	userIds: string[];
	threshold: number;
	period: BudgetPeriod;
	periodKey: string;
	spentNanoUsd: number;
	limitNanoUsd: number;
}

/**
 * Everything the server tells about itself on its one event bus: the UI's event log, metrics and
 * alerts read from here. `events.watch` delivers the ones a user may see, stamped with `at`.
 */
export type ServerEvent =
	| { type: 'breaker'; model: string; state: 'open' | 'half-open' | 'closed'; reason?: string }
	| { type: 'retry'; model: string; attempt: number; delayMs: number; reason: string }
	| { type: 'fallback'; from: string; to: string; reason: string }
	| { type: 'generation'; userId: string; generationId: string; state: 'running' | 'done' | 'cancelled' | 'failed'; reason?: string }
	| ({ type: 'budget-alert' } & BudgetAlert)
	/** Something of this user's changed on the server: their clients should pull. Carries no data. */
	| { type: 'sync'; userId: string };

/** What `events.watch` yields: the events a user may see, stamped; a poke arrives without its user. */
export type WatchedEvent = (Exclude<ServerEvent, { type: 'sync' }> | { type: 'sync' }) & { at: number };
