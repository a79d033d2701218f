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

const DAY_MS = 86_400_000;
/** The keys of the UTC day last asked about: nearly every call falls in it. */
let lastDay: { start: number; keys: Readonly<Record<BudgetPeriod, string>> } | null = null;

/**
 * The keys of every period holding `at`. This runs several times per ledger write, and nearly
 * always for the same day: the keys are built once per UTC day (epoch time has no leap seconds, so
 * every UTC day is 86,400,000 ms) and shared, hence read-only.
 */
export function periodKeys(at: number): Readonly<Record<BudgetPeriod, string>> {
	const start = at - (((at % DAY_MS) + DAY_MS) % DAY_MS);
	if (lastDay?.start !== start) {
		const iso = new Date(at).toISOString();
		lastDay = { start, keys: Object.freeze({ day: `day:${iso.slice(0, 10)}`, month: `month:${iso.slice(0, 7)}`, total: 'total' }) };
	}
	return lastDay.keys;
}
