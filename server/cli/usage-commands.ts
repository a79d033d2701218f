import { formatUsd } from '../../src/lib/domain/money';
import { findUserByUsername } from '../auth/users';
import { BatchedWriter } from '../db/batched-writer';
import type { OpenDatabase } from '../db/client';
import { Ledger } from '../ledger/ledger';
import { usageEntries } from '../ledger/reports';
import { usageCsv } from '../ledger/usage-csv';
import { usageSummary, type ScopeUsage } from '../ledger/usage-summary';
import { parseDayRange } from './date-range';
import { fail } from './fail';
import { currentPeriod } from './period-text';
import { UsageError } from './usage-error';

/** `usage show <user> [--json]`: spend against the user's budget and their team's. */
export function usageShow(database: OpenDatabase, args: string[], opts: { json: boolean }): number {
	if (args.length !== 1 || !args[0]) throw new UsageError('usage show takes exactly one username.');
	const user = findUserByUsername(database.db, args[0]);
	if (!user) return fail(`No user named "${args[0]}".`);
	// Read-only use: nothing is queued on the writer.
	const summary = usageSummary(database.db, new Ledger(database.sqlite, new BatchedWriter(database.sqlite)), user.id);
	if (!summary) return fail(`No user named "${args[0]}".`);
	if (opts.json) {
		const json = {
			user: summary.user,
			...snakeCase(summary),
			team: summary.team ? { name: summary.team.name, ...snakeCase(summary.team) } : null
		};
		process.stdout.write(`${JSON.stringify(json, null, 2)}\n`);
		return 0;
	}
	process.stdout.write(`${describe(`user ${summary.user}`, summary)}\n`);
	process.stdout.write(summary.team ? `${describe(`team ${summary.team.name}`, summary.team)}\n` : 'No team.\n');
	return 0;
}

function snakeCase(u: ScopeUsage) {
	return {
		period: u.period,
		period_key: u.periodKey,
		spent_nano_usd: u.spentNanoUsd,
		reserved_nano_usd: u.reservedNanoUsd,
		limit_nano_usd: u.limitNanoUsd
	};
}

function describe(label: string, u: ScopeUsage): string {
	const limit = u.limitNanoUsd === null ? 'no limit' : `limit ${formatUsd(u.limitNanoUsd)}`;
	return `${label}: ${formatUsd(u.spentNanoUsd)} spent, ${formatUsd(u.reservedNanoUsd)} reserved, ${limit} — ${currentPeriod(u.period, u.periodKey)}`;
}

/** `usage export --from D --to D`: CSV on stdout and nothing else, so it can be redirected to a file. */
export async function usageExport(database: OpenDatabase, args: string[], flags: { from: string | undefined; to: string | undefined }): Promise<number> {
	if (args.length !== 0) throw new UsageError('usage export takes no arguments besides --from and --to.');
	const range = parseDayRange(flags.from, flags.to, 'usage export');
	const csv = usageCsv(usageEntries(database.db, range));
	// process.exit follows: where a pipe is asynchronous (macOS), an unflushed export would be cut short.
	await new Promise<void>((resolve, reject) => process.stdout.write(csv, (error) => (error ? reject(error) : resolve())));
	return 0;
}
