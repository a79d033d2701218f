import type { BudgetPeriod } from '../../src/lib/domain/server-events';

export type { BudgetPeriod };
export const BUDGET_PERIODS: readonly BudgetPeriod[] = ['day', 'month', 'total'];

/** Periods are calendar days and months in UTC: the same for every device of a team. */
export function periodKey(period: BudgetPeriod, at: number): string {
	const iso = new Date(at).toISOString();
	if (period === 'day') return `day:${iso.slice(0, 10)}`;
	if (period === 'month') return `month:${iso.slice(0, 7)}`;
	return 'total';
}

/** Epoch ms where the period holding `at` begins (0 for total). */
export function periodStart(period: BudgetPeriod, at: number): number {
	const d = new Date(at);
	if (period === 'day') return Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate());
	if (period === 'month') return Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1);
	return 0;
}

/** The keys of every period holding `at`, computed once (this runs several times per ledger write). */
export function periodKeys(at: number): Record<BudgetPeriod, string> {
	const iso = new Date(at).toISOString();
	return { day: `day:${iso.slice(0, 10)}`, month: `month:${iso.slice(0, 7)}`, total: 'total' };
}
