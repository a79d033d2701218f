import type Database from 'better-sqlite3';
import type { NanoUsd } from '../../src/lib/domain/money';
import type { BatchedWriter } from '../db/batched-writer';
import type { BudgetAlert } from '../../src/lib/domain/server-events';

export type { BudgetAlert };
import { BudgetExceededError } from './ledger-errors';
import { BUDGET_PERIODS, periodKey, periodKeys, type BudgetPeriod } from './periods';

/** Verbatim the WHERE of the unique partial index, so that SQLite uses it for these lookups. */
const ONCE_KINDS = "kind IN ('reservation', 'release', 'charge')";

export type SettlementSource = 'provider' | 'generation-lookup' | 'estimate';

export interface BudgetRow {
	id: string;
	scope: 'user' | 'team';
	scopeId: string;
	period: BudgetPeriod;
	limitNanoUsd: number;
	alertThresholds: number[];
}

export interface SettleInput {
	generationId: string;
	amountNanoUsd: NanoUsd;
	source: SettlementSource;
	model: string | null;
	tokensIn: number | null;
	tokensOut: number | null;
}

/**
 * The authoritative cost ledger (docs/architecture.md#money-and-the-ledger). Every write goes through the group-commit
 * writer: the budget check and the reservation run in one transaction, and since operations
 * run one after another on one connection, no two checks can interleave.
 */
export class Ledger {
	readonly #q;

	constructor(
		sqlite: Database.Database,
		private readonly writer: BatchedWriter,
		private readonly now: () => number = Date.now
	) {
		this.#q = {
			teamOf: sqlite.prepare<[string], { teamId: string }>('SELECT team_id AS teamId FROM team_members WHERE user_id = ?'),
			budget: sqlite.prepare<[string, string], RawBudget>(
				'SELECT id, scope, scope_id AS scopeId, period, limit_nano_usd AS limitNanoUsd, alert_thresholds AS alertThresholds FROM budgets WHERE scope = ? AND scope_id = ?'
			),
			counter: sqlite.prepare<[string, string], { spent: number; reserved: number }>(
				'SELECT spent_nano_usd AS spent, reserved_nano_usd AS reserved FROM spend_counters WHERE scope = ? AND period_key = ?'
			),
			bump: sqlite.prepare<[string, string, number, number]>(
				`INSERT INTO spend_counters (scope, period_key, spent_nano_usd, reserved_nano_usd) VALUES (?, ?, ?, ?)
				 ON CONFLICT (scope, period_key) DO UPDATE SET spent_nano_usd = spent_nano_usd + excluded.spent_nano_usd,
				 reserved_nano_usd = reserved_nano_usd + excluded.reserved_nano_usd`
			),
			insert: sqlite.prepare(
				`INSERT INTO ledger_entries (generation_id, user_id, team_id, kind, amount_nano_usd, source, model, tokens_in, tokens_out, period_at, created_at)
				 VALUES (@generationId, @userId, @teamId, @kind, @amount, @source, @model, @tokensIn, @tokensOut, @periodAt, @createdAt)`
			),
			reservation: sqlite.prepare<[string], { userId: string; teamId: string | null; amount: number; periodAt: number; model: string | null }>(
				`SELECT user_id AS userId, team_id AS teamId, amount_nano_usd AS amount, period_at AS periodAt, model FROM ledger_entries
				 WHERE generation_id = ? AND kind = 'reservation' AND ${ONCE_KINDS}`
			),
			released: sqlite.prepare<[string], { n: number }>(`SELECT count(*) AS n FROM ledger_entries WHERE generation_id = ? AND kind = 'release' AND ${ONCE_KINDS}`),
			members: sqlite.prepare<[string], { userId: string }>('SELECT user_id AS userId FROM team_members WHERE team_id = ?'),
			markAlert: sqlite.prepare<[string, string, number, number]>(
				'INSERT OR IGNORE INTO budget_alerts (budget_id, period_key, threshold, sent_at) VALUES (?, ?, ?, ?)'
			)
		};
	}

	/**
	 * Holds the worst case of a call against every budget that applies; throws
	 * BudgetExceededError (and writes nothing) when one would be passed.
	 */
	reserve(input: { generationId: string; userId: string; model: string; amountNanoUsd: NanoUsd }): Promise<void> {
		return this.writer.run(() => this.reserveNow(input));
	}

	/** The synchronous core, for callers already inside a writer operation. */
	reserveNow(input: { generationId: string; userId: string; model: string; amountNanoUsd: NanoUsd }): void {
		const at = this.now();
		const keys = periodKeys(at);
		const teamId = this.#q.teamOf.get(input.userId)?.teamId ?? null;
		for (const budget of this.#budgetsFor(input.userId, teamId)) {
			const key = keys[budget.period];
			const counter = this.#q.counter.get(scopeKey(budget.scope, budget.scopeId), key) ?? { spent: 0, reserved: 0 };
			const committed = counter.spent + counter.reserved;
			if (committed + input.amountNanoUsd > budget.limitNanoUsd) {
				throw new BudgetExceededError(budget.scope, budget.period, budget.limitNanoUsd, committed, input.amountNanoUsd);
			}
		}
		this.#q.insert.run(entry({ ...input, teamId, kind: 'reservation', amount: input.amountNanoUsd, periodAt: at, createdAt: at }));
		this.#bump(input.userId, teamId, at, 0, input.amountNanoUsd);
	}

	/**
	 * Replaces the reservation by the billed amount: a release of the reservation and a charge,
	 * together. At most once per generation (unique index); a second call changes nothing and
	 * returns null. Returns the budget alerts this charge set off.
	 */
	settle(input: SettleInput): Promise<BudgetAlert[] | null> {
		return this.writer.run(() => this.settleNow(input));
	}

	settleNow(input: SettleInput): BudgetAlert[] | null {
		const reservation = this.#q.reservation.get(input.generationId);
		if (!reservation) throw new Error(`no reservation for generation ${input.generationId}`);
		if (this.#q.released.get(input.generationId)?.n) return null;
		const { userId, teamId, periodAt } = reservation;
		const createdAt = this.now();
		const base = { generationId: input.generationId, userId, teamId, periodAt, createdAt };
		this.#q.insert.run(entry({ ...base, kind: 'release', amount: -reservation.amount, model: reservation.model }));
		this.#q.insert.run(
			entry({ ...base, kind: 'charge', amount: input.amountNanoUsd, source: input.source, model: input.model, tokensIn: input.tokensIn, tokensOut: input.tokensOut })
		);
		this.#bump(userId, teamId, periodAt, input.amountNanoUsd, -reservation.amount);
		return this.#alerts(userId, teamId, periodAt);
	}

	/** A later, better figure for a charge: a new entry with the difference, never an edit. */
	correct(input: { generationId: string; deltaNanoUsd: number; source: SettlementSource; model: string | null }): Promise<BudgetAlert[]> {
		return this.writer.run(() => {
			const reservation = this.#q.reservation.get(input.generationId);
			if (!reservation) throw new Error(`no reservation for generation ${input.generationId}`);
			const { userId, teamId, periodAt } = reservation;
			this.#q.insert.run(
				entry({ generationId: input.generationId, userId, teamId, periodAt, createdAt: this.now(), kind: 'correction', amount: input.deltaNanoUsd, source: input.source, model: input.model })
			);
			this.#bump(userId, teamId, periodAt, input.deltaNanoUsd, 0);
			return this.#alerts(userId, teamId, periodAt);
		});
	}

	/** Spent and reserved now, in the period of the scope's budget (a month when it has none). */
	usage(scope: 'user' | 'team', scopeId: string): { spent: number; reserved: number; limit: number | null; period: BudgetPeriod; periodKey: string } {
		const budget = this.#q.budget.get(scope, scopeId);
		const period = budget?.period ?? 'month';
		const key = periodKey(period, this.now());
		const counter = this.#q.counter.get(scopeKey(scope, scopeId), key) ?? { spent: 0, reserved: 0 };
		return { spent: counter.spent, reserved: counter.reserved, limit: budget?.limitNanoUsd ?? null, period, periodKey: key };
	}

	teamOf(userId: string): string | null {
		return this.#q.teamOf.get(userId)?.teamId ?? null;
	}

	#budgetsFor(userId: string, teamId: string | null): BudgetRow[] {
		const out: BudgetRow[] = [];
		const own = this.#q.budget.get('user', userId);
		if (own) out.push(parseBudget(own));
		const team = teamId ? this.#q.budget.get('team', teamId) : undefined;
		if (team) out.push(parseBudget(team));
		return out;
	}

	#bump(userId: string, teamId: string | null, at: number, spent: number, reserved: number): void {
		const keys = periodKeys(at);
		for (const period of BUDGET_PERIODS) {
			const key = keys[period];
			this.#q.bump.run(scopeKey('user', userId), key, spent, reserved);
			if (teamId) this.#q.bump.run(scopeKey('team', teamId), key, spent, reserved);
		}
	}

	/** Thresholds crossed by spend; each fires once per budget, period and threshold. */
	#alerts(userId: string, teamId: string | null, at: number): BudgetAlert[] {
		const alerts: BudgetAlert[] = [];
		const keys = periodKeys(at);
		for (const budget of this.#budgetsFor(userId, teamId)) {
			const key = keys[budget.period];
			const spent = this.#q.counter.get(scopeKey(budget.scope, budget.scopeId), key)?.spent ?? 0;
			for (const threshold of budget.alertThresholds) {
				// Integer math: spent / limit ≥ threshold %.
				if (spent * 100 < threshold * budget.limitNanoUsd) continue;
				if (this.#q.markAlert.run(budget.id, key, threshold, this.now()).changes === 0) continue;
				const userIds = budget.scope === 'user' ? [budget.scopeId] : this.#q.members.all(budget.scopeId).map((m) => m.userId);
				alerts.push({ budgetId: budget.id, scope: budget.scope, scopeId: budget.scopeId, userIds, threshold, period: budget.period, periodKey: key, spentNanoUsd: spent, limitNanoUsd: budget.limitNanoUsd });
			}
		}
		return alerts;
	}
}

type RawBudget = Omit<BudgetRow, 'alertThresholds'> & { alertThresholds: string };

function parseBudget(raw: RawBudget): BudgetRow {
	return { ...raw, alertThresholds: JSON.parse(raw.alertThresholds) as number[] };
}

export const scopeKey = (scope: 'user' | 'team', id: string) => `${scope}:${id}`;

function entry(e: {
	generationId: string;
	userId: string;
	teamId: string | null;
	kind: 'reservation' | 'release' | 'charge' | 'correction';
	amount: number;
	periodAt: number;
	createdAt: number;
	source?: SettlementSource | null;
	model?: string | null;
	tokensIn?: number | null;
	tokensOut?: number | null;
}) {
	return { source: null, model: null, tokensIn: null, tokensOut: null, ...e };
}
