import type Database from 'better-sqlite3';
import type { NanoUsd } from '../../src/lib/domain/money';
import type { BatchedWriter } from '../db/batched-writer';
import type { StatementCall } from '../db/write-statement';
import type { BudgetAlert } from '../../src/lib/domain/server-events';

export type { BudgetAlert };
import { BudgetExceededError } from './ledger-errors';
import { periodKey, periodKeys, type BudgetPeriod } from './periods';
import { RunningTotals } from './running-totals';

/** Verbatim the WHERE of the unique partial index, so that SQLite uses it for these lookups. */
const ONCE_KINDS = "kind IN ('reservation', 'settlement')";

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

export interface ReserveInput {
	generationId: string;
	userId: string;
	model: string;
	amountNanoUsd: NanoUsd;
}

/** A reservation held in memory, with what its row needs. */
interface Hold {
	generationId: string;
	model: string;
	keys: Record<BudgetPeriod, string>;
	reservation: OpenReservation;
}

/** What a settlement needs of its reservation. */
interface Reservation {
	userId: string;
	teamId: string | null;
	amount: number;
	periodAt: number;
}

/**
 * One this process made, with the budgets it was checked against: its settlement looks for
 * alerts in those instead of reading them again. A budget changed in between is read by the
 * next call's check, and an alert it sets off fires on that call's settlement.
 */
interface OpenReservation extends Reservation {
	budgets: BudgetRow[];
}

/**
 * The authoritative cost ledger (docs/architecture.md#money-and-the-ledger). Every write goes
 * through the group-commit writer. The running totals the budget checks read are kept in
 * memory, summed from the ledger's rows when it is built and changed with every row it writes
 * (and undone with one that does not commit): a check and its hold are one synchronous step on
 * them, so no two checks can interleave, and the reservation's row commits afterwards.
 */
export class Ledger {
	readonly #q;
	/** The hot path's writes, which the writer's commit thread can run. */
	readonly #w;
	readonly #totals: RunningTotals;
	/** Alerts known to have fired (`budgetId period threshold`): each fires once, so this only grows true. */
	readonly #fired = new Set<string>();
	/** Reservations made by this process and not settled yet: a settlement need not read them back. */
	readonly #open = new Map<string, OpenReservation>();

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
			correct: sqlite.prepare<[string, string, string | null, number, string, string | null, number, number]>(
				`INSERT INTO ledger_records (generation_id, user_id, team_id, kind, amount_nano_usd, source, model, period_at, created_at)
				 VALUES (?, ?, ?, 'correction', ?, ?, ?, ?, ?)`
			),
			reservation: sqlite.prepare<[string], Reservation>(
				`SELECT user_id AS userId, team_id AS teamId, amount_nano_usd AS amount, period_at AS periodAt FROM ledger_records
				 WHERE generation_id = ? AND kind = 'reservation' AND ${ONCE_KINDS}`
			),
			members: sqlite.prepare<[string], { userId: string }>('SELECT user_id AS userId FROM team_members WHERE team_id = ?'),
			markAlert: sqlite.prepare<[string, string, number, number]>(
				'INSERT OR IGNORE INTO budget_alerts (budget_id, period_key, threshold, sent_at) VALUES (?, ?, ?, ?)'
			)
		};
		this.#w = {
			reserve: writer.statement<[string, string, string | null, number, string, number, number]>(
				`INSERT INTO ledger_records (generation_id, user_id, team_id, kind, amount_nano_usd, model, period_at, created_at)
				 VALUES (?, ?, ?, 'reservation', ?, ?, ?, ?)`
			),
			// A second settlement of the same generation hits the unique index and inserts nothing.
			settle: writer.statement<[string, string, string | null, number, number, string, string | null, number | null, number | null, number, number]>(
				`INSERT INTO ledger_records (generation_id, user_id, team_id, kind, amount_nano_usd, released_nano_usd, source, model, tokens_in, tokens_out, period_at, created_at)
				 VALUES (?, ?, ?, 'settlement', ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`
			)
		};
		this.#totals = RunningTotals.fromLedger(sqlite);
	}

	/**
	 * Holds the worst case of a call against every budget that applies. The check and the hold
	 * are one synchronous step against the in-memory totals, so no two calls can interleave,
	 * and nothing waits on the disk for them: the row (and whatever `write` adds, e.g. the
	 * call's generation row) is queued to the writer, and the returned promise resolves once it
	 * is durable. Throws BudgetExceededError at once, holding nothing, when a limit would be
	 * passed; a row that does not commit undoes the hold and rejects with the writer's error.
	 */
	hold(input: ReserveInput, with_: StatementCall[] = []): Promise<void> {
		const hold = this.#hold(input);
		return this.writer.write([...with_, this.#reservationRow(hold)], { undo: () => this.#unhold(hold) }).then(() => undefined);
	}

	/** `hold`, with a refusal as a rejected promise: resolves once the reservation is durable. */
	reserve(input: ReserveInput): Promise<void> {
		try {
			return this.hold(input);
		} catch (error) {
			return Promise.reject(error);
		}
	}

	/** The same, for callers already inside a writer operation. */
	reserveNow(input: ReserveInput): void {
		const hold = this.#hold(input);
		this.writer.onUndo(() => this.#unhold(hold));
		this.#reservationRow(hold).runHere();
	}

	/** The budget check and the in-memory hold: throws BudgetExceededError before changing anything. */
	#hold(input: ReserveInput): Hold {
		if (this.#open.has(input.generationId)) throw new Error(`generation ${input.generationId} already holds a reservation`);
		const at = this.now();
		const keys = periodKeys(at);
		const teamId = this.#q.teamOf.get(input.userId)?.teamId ?? null;
		const budgets = this.#budgetsFor(input.userId, teamId);
		for (const budget of budgets) {
			const key = keys[budget.period];
			const counter = this.#totals.get(budget.scope, budget.scopeId, key);
			const committed = counter.spent + counter.reserved;
			if (committed + input.amountNanoUsd > budget.limitNanoUsd) {
				throw new BudgetExceededError(budget.scope, budget.period, budget.limitNanoUsd, committed, input.amountNanoUsd);
			}
		}
		const reservation: OpenReservation = { userId: input.userId, teamId, amount: input.amountNanoUsd, periodAt: at, budgets };
		this.#totals.add(input.userId, teamId, keys, 0, input.amountNanoUsd);
		this.#open.set(input.generationId, reservation);
		return { generationId: input.generationId, model: input.model, keys, reservation };
	}

	#unhold({ generationId, keys, reservation }: Hold): void {
		this.#totals.add(reservation.userId, reservation.teamId, keys, 0, -reservation.amount);
		this.#open.delete(generationId);
	}

	#reservationRow({ generationId, model, reservation: r }: Hold): StatementCall {
		return this.#w.reserve.call([generationId, r.userId, r.teamId, r.amount, model, r.periodAt, r.periodAt]);
	}

	/**
	 * Replaces the reservation by the billed amount: one settlement row releases it and charges.
	 * At most once per generation (unique index); a second call changes nothing and returns null.
	 * Returns the budget alerts this charge set off. A settlement nobody waits on (the end of a
	 * call) commits `later`, with the next batch. `with_` (writes that follow from the charge, such
	 * as the reply's row showing it) commits in the same operation.
	 *
	 * The common case — a reservation this process holds, and no alert this charge could set off —
	 * is one statement the commit thread can run: the totals change now and are put back should
	 * the row not commit. The rest (a reservation from before a restart, an alert to record) reads
	 * as it writes, on the writer's own connection.
	 */
	settle(input: SettleInput, commit: 'now' | 'later' = 'now', with_: StatementCall[] = []): Promise<BudgetAlert[] | null> {
		const generationId = input.generationId;
		const reservation = this.#open.get(generationId);
		const keys = reservation && periodKeys(reservation.periodAt);
		if (!reservation || !keys || this.#mayAlert(reservation, keys, input.amountNanoUsd)) {
			const op = () => {
				const alerts = this.settleNow(input);
				if (alerts) for (const call of with_) call.runHere();
				return alerts;
			};
			return commit === 'now' ? this.writer.run(op) : this.writer.later(op);
		}
		const { userId, teamId, amount: released } = reservation;
		this.#open.delete(generationId);
		this.#totals.add(userId, teamId, keys, input.amountNanoUsd, -released);
		const putBack = () => this.#totals.add(userId, teamId, keys, -input.amountNanoUsd, released);
		const undo = () => {
			putBack();
			this.#open.set(generationId, reservation);
		};
		return this.writer.write([this.#settlementRow(input, reservation), ...with_], { undo, commit }).then(([changes]) => {
			if (changes !== 0) return [];
			// Settled already (by whom else?): this one charged nothing.
			putBack();
			return null;
		});
	}

	/** Whether this charge could cross a threshold not known to have fired: then `settleNow` records it. */
	#mayAlert({ budgets }: OpenReservation, keys: Record<BudgetPeriod, string>, amount: number): boolean {
		for (const budget of budgets) {
			const key = keys[budget.period];
			const spent = this.#totals.get(budget.scope, budget.scopeId, key).spent + amount;
			for (const threshold of budget.alertThresholds) {
				if (spent * 100 >= threshold * budget.limitNanoUsd && !this.#fired.has(`${budget.id} ${key} ${threshold}`)) return true;
			}
		}
		return false;
	}

	#settlementRow(input: SettleInput, { userId, teamId, periodAt, amount: released }: Reservation): StatementCall {
		return this.#w.settle.call([
			input.generationId,
			userId,
			teamId,
			input.amountNanoUsd,
			released,
			input.source,
			input.model,
			input.tokensIn,
			input.tokensOut,
			periodAt,
			this.now()
		]);
	}

	settleNow(input: SettleInput): BudgetAlert[] | null {
		const generationId = input.generationId;
		const open = this.#open.get(generationId);
		const reservation = open ?? this.#q.reservation.get(generationId);
		if (!reservation) throw new Error(`no reservation for generation ${generationId}`);
		const { userId, teamId, periodAt, amount: released } = reservation;
		const settled = this.#settlementRow(input, reservation).runHere();
		this.#open.delete(generationId);
		if (settled.changes === 0) return null;
		const keys = periodKeys(periodAt);
		this.#totals.add(userId, teamId, keys, input.amountNanoUsd, -released);
		this.writer.onUndo(() => {
			this.#totals.add(userId, teamId, keys, -input.amountNanoUsd, released);
			if (open) this.#open.set(generationId, open);
		});
		return this.#alerts(userId, teamId, keys);
	}

	/** A later, better figure for a charge: a new row with the difference, never an edit. */
	correct(input: { generationId: string; deltaNanoUsd: number; source: SettlementSource; model: string | null }): Promise<BudgetAlert[]> {
		return this.writer.run(() => {
			const reservation = this.#q.reservation.get(input.generationId);
			if (!reservation) throw new Error(`no reservation for generation ${input.generationId}`);
			const { userId, teamId, periodAt } = reservation;
			this.#q.correct.run(input.generationId, userId, teamId, input.deltaNanoUsd, input.source, input.model, periodAt, this.now());
			const keys = periodKeys(periodAt);
			this.#totals.add(userId, teamId, keys, input.deltaNanoUsd, 0);
			this.writer.onUndo(() => this.#totals.add(userId, teamId, keys, -input.deltaNanoUsd, 0));
			return this.#alerts(userId, teamId, keys);
		});
	}

	/** Spent and reserved now, in the period of the scope's budget (a month when it has none). */
	usage(scope: 'user' | 'team', scopeId: string): { spent: number; reserved: number; limit: number | null; period: BudgetPeriod; periodKey: string } {
		const budget = this.#q.budget.get(scope, scopeId);
		const period = budget?.period ?? 'month';
		const key = periodKey(period, this.now());
		const counter = this.#totals.get(scope, scopeId, key);
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

	/** Thresholds crossed by spend; each fires once per budget, period and threshold. */
	#alerts(userId: string, teamId: string | null, keys: Record<BudgetPeriod, string>): BudgetAlert[] {
		const alerts: BudgetAlert[] = [];
		for (const budget of this.#budgetsFor(userId, teamId)) {
			const key = keys[budget.period];
			const spent = this.#totals.get(budget.scope, budget.scopeId, key).spent;
			for (const threshold of budget.alertThresholds) {
				// Integer math: spent / limit ≥ threshold %.
				if (spent * 100 < threshold * budget.limitNanoUsd) continue;
				const fresh = this.#q.markAlert.run(budget.id, key, threshold, this.now()).changes > 0;
				// Fired once it commits: should it not, the next charge tries again.
				if (fresh) this.writer.onUndo(() => this.#fired.delete(`${budget.id} ${key} ${threshold}`));
				this.#fired.add(`${budget.id} ${key} ${threshold}`);
				if (!fresh) continue;
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
