import { and, eq, isNull, sql } from 'drizzle-orm';
import { alias } from 'drizzle-orm/sqlite-core';
import type { Db } from '../db/client';
import { generations, ledgerEntries } from '../db/schema';
import type { JobMetering } from '../orchestrator/generation-jobs';
import { parseUsd } from '../../src/lib/domain/money';
import { lookUpGeneration } from './generation-lookup';
import { announce, settleCall } from './settlement';

/**
 * At boot: every reservation a crash left open is settled, by the provider's generation record
 * when the call got that far, else at zero (no response, nothing billed).
 */
export async function reconcileOpenReservations(metering: JobMetering, db: Db): Promise<number> {
	const release = alias(ledgerEntries, 'release');
	const open = db
		.select({ generationId: ledgerEntries.generationId, model: ledgerEntries.model, upstreamId: generations.upstreamId, answered: generations.model })
		.from(ledgerEntries)
		.leftJoin(release, and(eq(release.generationId, ledgerEntries.generationId), eq(release.kind, 'release')))
		.leftJoin(generations, eq(generations.id, ledgerEntries.generationId))
		.where(and(eq(ledgerEntries.kind, 'reservation'), isNull(release.id)))
		.all();
	await Promise.all(
		open.map((row) =>
			settleCall(metering, {
				generationId: row.generationId as string,
				upstreamId: row.upstreamId ?? null,
				model: row.answered ?? row.model ?? '',
				providerCostUsd: null,
				tokensIn: null,
				tokensOut: null,
				promptTokensEstimate: 0,
				completionCharsSeen: 0
			})
		)
	);
	return open.length;
}

/** Charges settled from an estimate get the provider's figure as a correction once it is there. */
export async function reconcileEstimates(metering: JobMetering, db: Db): Promise<number> {
	const corrected = alias(ledgerEntries, 'corrected');
	const rows = db
		.select({ generationId: ledgerEntries.generationId, amount: ledgerEntries.amountNanoUsd, model: ledgerEntries.model, upstreamId: generations.upstreamId })
		.from(ledgerEntries)
		.innerJoin(generations, eq(generations.id, ledgerEntries.generationId))
		.leftJoin(corrected, and(eq(corrected.generationId, ledgerEntries.generationId), eq(corrected.kind, 'correction')))
		.where(and(eq(ledgerEntries.kind, 'charge'), eq(ledgerEntries.source, 'estimate'), isNull(corrected.id), sql`${generations.upstreamId} IS NOT NULL`))
		.all();
	let fixed = 0;
	for (const row of rows) {
		const found = await lookUpGeneration(metering.upstream, row.upstreamId as string, [250]);
		if (!found) continue;
		const delta = parseUsd(found.totalCostUsd) - row.amount;
		const alerts = await metering.ledger.correct({ generationId: row.generationId as string, deltaNanoUsd: delta, source: 'generation-lookup', model: row.model });
		announce(metering, alerts);
		fixed++;
	}
	return fixed;
}
