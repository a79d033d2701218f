import { and, eq, gt, isNull, sql } from 'drizzle-orm';
import { alias } from 'drizzle-orm/sqlite-core';
import type { Db } from '../db/client';
import { generations, ledgerRecords, messages } from '../db/schema';
import type { Logger } from '../log';
import type { JobMetering } from './metering';
import { parseUsd } from '../../src/lib/domain/money';
import { lookUpGeneration } from './generation-lookup';
import { announce, settleCall } from './settlement';

/** How long to wait before asking the provider again about estimated charges: soon, then less often. */
export const ESTIMATE_RETRY_DELAYS_MS = [30_000, 2 * 60_000, 10 * 60_000, 60 * 60_000];
/** Estimates older than this are left as they are: the provider no longer answers for them. */
const ESTIMATE_HORIZON_MS = 30 * 24 * 60 * 60 * 1000;
/** Open reservations settled at once at boot: each may wait seconds on a lookup. */
const SETTLE_CONCURRENCY = 8;
/** Repeats the unique partial index's WHERE, so that SQLite uses it to find a settlement. */
const ONCE_KINDS = sql`settlement.kind IN ('reservation', 'settlement')`;

/**
 * Makes the ledger whole after a crash, in the background (boot never waits on the provider):
 * every reservation a crash left open is settled — by the provider's generation record when the
 * call got that far, else estimated from the prompt and the text that was stored, at zero only
 * when the call never reached the provider — and estimated charges keep being looked up until the
 * provider's figure corrects them with a new entry.
 */
export class Reconciler {
	#abort = new AbortController();
	#openLeft: number | null = null;
	#estimatesLeft = 0;
	#timer: NodeJS.Timeout | null = null;
	#running: Promise<void> = Promise.resolve();

	constructor(
		private readonly metering: JobMetering,
		private readonly db: Db,
		private readonly log: Logger,
		private readonly retryDelaysMs: readonly number[] = ESTIMATE_RETRY_DELAYS_MS
	) {}

	start(): void {
		this.#running = this.#settleOpen().then(() => this.#correctEstimates(0));
	}

	/** What is not reconciled yet, for /readyz; empty when nothing is pending. */
	pending(): string[] {
		const out: string[] = [];
		if (this.#openLeft === null) out.push('open reservations: not yet checked');
		else if (this.#openLeft > 0) out.push(`open reservations: ${this.#openLeft} being settled`);
		if (this.#estimatesLeft > 0) out.push(`estimated charges awaiting the provider's figure: ${this.#estimatesLeft}`);
		return out;
	}

	async stop(): Promise<void> {
		this.#abort.abort();
		if (this.#timer) clearTimeout(this.#timer);
		await this.#running;
	}

	async #settleOpen(): Promise<void> {
		const settlement = alias(ledgerRecords, 'settlement');
		const open = this.db
			.select({
				generationId: ledgerRecords.generationId,
				model: ledgerRecords.model,
				upstreamId: generations.upstreamId,
				answered: generations.model,
				origin: generations.origin,
				promptTokensEstimate: generations.promptTokensEstimate,
				storedChars: sql<number | null>`length(${messages.content})`
			})
			.from(ledgerRecords)
			.leftJoin(settlement, and(eq(settlement.generationId, ledgerRecords.generationId), eq(settlement.kind, 'settlement'), ONCE_KINDS))
			.leftJoin(generations, eq(generations.id, ledgerRecords.generationId))
			.leftJoin(messages, eq(messages.id, generations.assistantMessageId))
			.where(and(eq(ledgerRecords.kind, 'reservation'), isNull(settlement.id)))
			.all();
		this.#openLeft = open.length;
		if (open.length === 0) return;
		const queue = [...open];
		const worker = async () => {
			for (let row = queue.shift(); row && !this.#abort.signal.aborted; row = queue.shift()) {
				try {
					await settleCall(
						this.metering,
						{
							generationId: row.generationId as string,
							// Unknown (no generation row): told as an app reply would be, which costs a read at most.
							origin: row.origin === 'api' ? 'api' : 'app',
							upstreamId: row.upstreamId ?? null,
							model: row.answered ?? row.model ?? '',
							providerCostUsd: null,
							tokensIn: null,
							tokensOut: null,
							promptTokensEstimate: row.promptTokensEstimate ?? 0,
							completionCharsSeen: row.storedChars ?? 0
						},
						this.#abort.signal
					);
					this.#openLeft = (this.#openLeft ?? 1) - 1;
				} catch (error) {
					if (!this.#abort.signal.aborted) this.log.error('could not settle a reservation left open by a restart; the next boot retries it', { generationId: row.generationId, error });
				}
			}
		};
		await Promise.all(Array.from({ length: Math.min(SETTLE_CONCURRENCY, open.length) }, worker));
		if (!this.#abort.signal.aborted) this.log.warn('settled reservations left open by a restart', { count: open.length });
	}

	/** One pass over uncorrected estimates, then again after a delay while any remain (hourly otherwise). */
	async #correctEstimates(failedPasses: number): Promise<void> {
		if (this.#abort.signal.aborted) return;
		let left = 0;
		try {
			left = await this.#correctionPass();
		} catch (error) {
			if (this.#abort.signal.aborted) return;
			this.log.warn('estimate reconciliation failed; will retry', { error });
			left = this.#estimatesLeft || 1;
		}
		this.#estimatesLeft = left;
		const delay = left > 0 ? (this.retryDelaysMs[Math.min(failedPasses, this.retryDelaysMs.length - 1)] as number) : 60 * 60_000;
		if (this.#abort.signal.aborted) return;
		this.#timer = setTimeout(() => {
			this.#running = this.#correctEstimates(left > 0 ? failedPasses + 1 : 0);
		}, delay);
		this.#timer.unref();
	}

	/** Returns how many estimates are still uncorrected. */
	async #correctionPass(): Promise<number> {
		const corrected = alias(ledgerRecords, 'corrected');
		const rows = this.db
			.select({ generationId: ledgerRecords.generationId, amount: ledgerRecords.amountNanoUsd, model: ledgerRecords.model, upstreamId: generations.upstreamId })
			.from(ledgerRecords)
			.innerJoin(generations, eq(generations.id, ledgerRecords.generationId))
			.leftJoin(corrected, and(eq(corrected.generationId, ledgerRecords.generationId), eq(corrected.kind, 'correction')))
			.where(
				and(
					eq(ledgerRecords.kind, 'settlement'),
					eq(ledgerRecords.source, 'estimate'),
					isNull(corrected.id),
					sql`${generations.upstreamId} IS NOT NULL`,
					gt(ledgerRecords.createdAt, Date.now() - ESTIMATE_HORIZON_MS)
				)
			)
			.all();
		let left = rows.length;
		for (const row of rows) {
			const found = await lookUpGeneration(this.metering.upstream, row.upstreamId as string, { delays: [], signal: this.#abort.signal });
			if (!found) continue;
			const delta = parseUsd(found.totalCostUsd) - row.amount;
			const alerts = await this.metering.ledger.correct({ generationId: row.generationId as string, deltaNanoUsd: delta, source: 'generation-lookup', model: row.model });
			announce(this.metering, alerts);
			await this.metering.writer.write([this.metering.showCost(row.generationId as string, 'generation-lookup')]);
			this.metering.costShown(row.generationId as string);
			this.log.info('corrected an estimated charge with the provider\'s figure', { generationId: row.generationId, deltaNanoUsd: delta });
			left--;
		}
		return left;
	}
}
