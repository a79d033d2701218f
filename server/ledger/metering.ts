import { eq, sql } from 'drizzle-orm';
import type Database from 'better-sqlite3';
import { BatchedWriter } from '../db/batched-writer';
import type { Db } from '../db/client';
import { generations } from '../db/schema';
import type { EventBus } from '../events/event-bus';
import type { Logger } from '../log';
import type { Orchestrator } from '../orchestrator/orchestrator-types';
import type { Upstream } from '../orchestrator/upstream';
import { ModelCatalog } from './catalog';
import { Ledger } from './ledger';
import type { MeteredDeps } from './metered-stream';

/** Everything that meters a call: the group-commit writer, the ledger, the catalog, settlement hooks. */
export interface JobMetering extends MeteredDeps {
	writer: BatchedWriter;
	ledger: Ledger;
	catalog: ModelCatalog;
}

/** Everything that meters a call, built once: the writer, the ledger, the catalog. */
export function createMetering(deps: {
	db: Db;
	sqlite: Database.Database;
	upstream: Upstream;
	orchestrator: Orchestrator;
	bus: EventBus;
	log: Logger;
}): JobMetering {
	const writer = new BatchedWriter(deps.sqlite);
	return {
		...deps,
		writer,
		ledger: new Ledger(deps.sqlite, writer),
		catalog: new ModelCatalog(deps.db, deps.upstream, deps.log),
		pendingSettlements: new Set(),
		recordUpstreamId: (generationId, upstreamId, model) =>
			writer.run(() => {
				deps.db.update(generations).set({ upstreamId, model, firstTokenAt: Date.now() }).where(eq(generations.id, generationId)).run();
			}),
		// The reply's row shows what was billed: charge plus corrections, summed from the ledger itself.
		recordCost: async (generationId, source) => {
			const owner = await writer.run(() => {
				deps.db
					.update(generations)
					.set({
						costNanoUsd: sql`(SELECT sum(amount_nano_usd) FROM ledger_entries WHERE generation_id = ${generationId} AND kind IN ('charge', 'correction'))`,
						costSource: source
					})
					.where(eq(generations.id, generationId))
					.run();
				return deps.db.select({ userId: generations.userId, conversationId: generations.conversationId }).from(generations).where(eq(generations.id, generationId)).get();
			});
			if (owner?.conversationId) deps.bus.emit({ type: 'sync', userId: owner.userId });
		}
	};
}

/** Waits for settlements still running (bounded: a lookup backs off for seconds at most). */
export async function drainSettlements(metering: JobMetering, timeoutMs: number): Promise<void> {
	const timeout = new Promise<void>((r) => setTimeout(r, timeoutMs).unref());
	await Promise.race([Promise.allSettled([...metering.pendingSettlements]), timeout]);
	metering.writer.flush();
}
