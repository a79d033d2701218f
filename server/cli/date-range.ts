import { UsageError } from './usage-error';

const DAY_MS = 24 * 60 * 60 * 1000;

/** Whole UTC days, both included, as epoch ms [from, to) for the report queries. */
export function parseDayRange(from: string | undefined, to: string | undefined, command: string): { from: number; to: number } {
	if (from === undefined || to === undefined) throw new UsageError(`${command} needs --from and --to, e.g. --from 2025-01-01 --to 2025-01-31.`);
	const start = utcDay(from, '--from');
	const end = utcDay(to, '--to');
	if (end < start) throw new UsageError(`--to ${to} is before --from ${from}.`);
	return { from: start, to: end + DAY_MS };
}

function utcDay(text: string, flag: string): number {
	const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
	const at = match ? Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3])) : NaN;
	// Date.UTC rolls 2025-02-30 over to March: only a date that reads back unchanged is real.
	if (Number.isNaN(at) || new Date(at).toISOString().slice(0, 10) !== text) {
		throw new UsageError(`${flag} "${text}" is not a date; write it as YYYY-MM-DD (UTC).`);
	}
	return at;
}
