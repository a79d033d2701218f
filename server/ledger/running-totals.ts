import type Database from 'better-sqlite3';
import type { BudgetPeriod } from './periods';

export interface Totals {
	spent: number;
	reserved: number;
}

const ZERO: Readonly<Totals> = Object.freeze({ spent: 0, reserved: 0 });

/**
 * Spent and reserved per user and team, per UTC day, month and all time: what the budget checks
 * and usage figures read. In memory only, summed from the ledger's rows when built (at boot), so
 * there is nothing to keep in step on disk: each ledger row changes them as it is written.
 */
export class RunningTotals {
	/** `user:<id>` or `team:<id>` → period key (`day:…`, `month:…`, `total`) → totals. */
	readonly #byScope = new Map<string, Map<string, Totals>>();

	/** The totals of every row in the ledger: one grouped read, by owner and UTC day. */
	static fromLedger(sqlite: Database.Database): RunningTotals {
		const totals = new RunningTotals();
		const days = sqlite
			.prepare<[], { userId: string; teamId: string | null; day: string; spent: number; reserved: number }>(
				`SELECT user_id AS userId, team_id AS teamId, strftime('%Y-%m-%d', period_at / 1000, 'unixepoch') AS day,
				 sum(CASE kind WHEN 'reservation' THEN 0 ELSE amount_nano_usd END) AS spent,
				 sum(CASE kind WHEN 'reservation' THEN amount_nano_usd WHEN 'settlement' THEN -released_nano_usd ELSE 0 END) AS reserved
				 FROM ledger_records GROUP BY user_id, team_id, day`
			)
			.all();
		for (const row of days) {
			totals.add(row.userId, row.teamId, { day: `day:${row.day}`, month: `month:${row.day.slice(0, 7)}`, total: 'total' }, row.spent, row.reserved);
		}
		return totals;
	}

	get(scope: 'user' | 'team', scopeId: string, periodKey: string): Readonly<Totals> {
		return this.#byScope.get(`${scope}:${scopeId}`)?.get(periodKey) ?? ZERO;
	}

	/** Adds to the user's totals and their team's, in each period holding the spend. */
	add(userId: string, teamId: string | null, keys: Record<BudgetPeriod, string>, spent: number, reserved: number): void {
		this.#addTo(`user:${userId}`, keys, spent, reserved);
		if (teamId !== null) this.#addTo(`team:${teamId}`, keys, spent, reserved);
	}

	#addTo(scope: string, keys: Record<BudgetPeriod, string>, spent: number, reserved: number): void {
		let periods = this.#byScope.get(scope);
		if (!periods) this.#byScope.set(scope, (periods = new Map()));
		bump(periods, keys.day, spent, reserved);
		bump(periods, keys.month, spent, reserved);
		bump(periods, keys.total, spent, reserved);
	}
}

function bump(periods: Map<string, Totals>, key: string, spent: number, reserved: number): void {
	const totals = periods.get(key);
	if (totals) {
		totals.spent += spent;
		totals.reserved += reserved;
	} else {
		periods.set(key, { spent, reserved });
	}
}
