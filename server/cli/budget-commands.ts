import { formatUsd } from '../../src/lib/domain/money';
import { BatchedWriter } from '../db/batched-writer';
import type { OpenDatabase } from '../db/client';
import { listBudgets } from '../ledger/budget-list';
import { BudgetInput, removeBudget, setBudget } from '../ledger/budgets';
import { Ledger } from '../ledger/ledger';
import { perPeriod } from './period-text';
import { describeScope, parseScopeArgument } from './scope-argument';
import { formatTable } from './text-table';
import { UsageError } from './usage-error';

export interface BudgetFlags {
	limitUsd: string | undefined;
	period: string | undefined;
	alerts: string | undefined;
}

// zod names the field; a person typed the flag.
const FLAG_OF: Record<string, string> = { limitUsd: '--limit-usd', period: '--period', alertThresholds: '--alerts', name: 'name' };

/** `budget set <user|team:name> --limit-usd N --period day|month|total [--alerts 80,100]` */
export function budgetSet(database: OpenDatabase, args: string[], flags: BudgetFlags): number {
	const target = parseScopeArgument(args, 'budget set');
	if (flags.limitUsd === undefined) throw new UsageError('budget set needs --limit-usd, e.g. --limit-usd 20.');
	if (flags.period === undefined) throw new UsageError('budget set needs --period day, month or total.');
	const parsed = BudgetInput.safeParse({
		...target,
		limitUsd: flags.limitUsd,
		period: flags.period,
		alertThresholds: flags.alerts === undefined ? undefined : parseAlerts(flags.alerts)
	});
	if (!parsed.success) {
		const issue = parsed.error.issues[0];
		const field = String(issue?.path[0] ?? '');
		throw new UsageError(`${FLAG_OF[field] ?? field}: ${issue?.message ?? 'invalid value'}`);
	}
	const budget = setBudget(database.db, parsed.data);
	const alerts = budget.alertThresholds.map((t) => `${t}%`).join(', ');
	process.stdout.write(
		`Budget for ${describeScope(target)}: ${formatUsd(budget.limitNanoUsd)} ${perPeriod(budget.period)}${alerts ? `, alerts at ${alerts}` : ''}.\n`
	);
	return 0;
}

/** "80,100" → [80, 100]; "" means no alerts at all. */
function parseAlerts(text: string): number[] {
	if (text.trim() === '') return [];
	return text.split(',').map((part) => {
		if (!/^\s*\d+\s*$/.test(part)) throw new UsageError(`--alerts: "${part}" is not a whole percentage; give e.g. --alerts 80,100.`);
		return Number(part);
	});
}

/** `budget remove <user|team:name>`: removing a budget that is not there is not an error. */
export function budgetRemove(database: OpenDatabase, args: string[]): number {
	const target = parseScopeArgument(args, 'budget remove');
	const removed = removeBudget(database.db, target.scope, target.name);
	process.stdout.write(removed ? `Removed the budget of ${describeScope(target)}.\n` : `${describeScope(target)} has no budget; nothing removed.\n`);
	return 0;
}

/** `budget list [--json]`: every budget with its spend in the current period. */
export function budgetList(database: OpenDatabase, args: string[], opts: { json: boolean }): number {
	if (args.length !== 0) throw new UsageError('budget list takes no arguments.');
	const list = listBudgets(database.db, new Ledger(database.sqlite, new BatchedWriter(database.sqlite)));
	if (opts.json) {
		process.stdout.write(`${JSON.stringify(list, null, 2)}\n`);
	} else if (list.length === 0) {
		process.stdout.write('No budgets.\n');
	} else {
		const header = ['SCOPE', 'NAME', 'LIMIT', 'PERIOD', 'SPENT', 'RESERVED', 'ALERTS'];
		const rows = list.map((b) => [
			b.scope,
			b.name,
			formatUsd(b.limitNanoUsd),
			b.period,
			formatUsd(b.spentNanoUsd),
			formatUsd(b.reservedNanoUsd),
			b.alertThresholds.map((t) => `${t}%`).join(',') || '-'
		]);
		process.stdout.write(formatTable(header, rows));
	}
	return 0;
}
