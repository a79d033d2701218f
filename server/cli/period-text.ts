import type { BudgetPeriod } from '../ledger/periods';

/** "per month", "per day", "in total": how a limit reads in a sentence. */
export function perPeriod(period: BudgetPeriod): string {
	return period === 'total' ? 'in total' : `per ${period}`;
}

/** "this month (2025-01, UTC)" from a period key such as "month:2025-01". */
export function currentPeriod(period: BudgetPeriod, periodKey: string): string {
	const when = periodKey.slice(periodKey.indexOf(':') + 1);
	if (period === 'day') return `today (${when}, UTC)`;
	if (period === 'month') return `this month (${when}, UTC)`;
	return 'in total';
}
