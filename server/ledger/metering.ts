import { eq } from 'drizzle-orm';
import type Database from 'better-sqlite3';
import { BatchedWriter } from '../db/batched-writer';
import type { Db } from '../db/client';
import { generations } from '../db/schema';
import type { EventBus } from '../events/event-bus';
import type { Logger } from '../log';
import type { JobMetering } from '../orchestrator/generation-jobs';
import type { Orchestrator } from '../orchestrator/orchestrator-types';
import type { Upstream } from '../orchestrator/upstream';
import { ModelCatalog } from './catalog';
import { Ledger } from './ledger';

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
			})
	};
}

/** Waits for settlements still running (bounded: a lookup backs off for seconds at most). */
export async function drainSettlements(metering: JobMetering, timeoutMs: number): Promise<void> {
	const timeout = new Promise<void>((r) => setTimeout(r, timeoutMs).unref());
	await Promise.race([Promise.allSettled([...metering.pendingSettlements]), timeout]);
	metering.writer.flush();
}
