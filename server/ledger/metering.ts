import type Database from 'better-sqlite3';
import { BatchedWriter } from '../db/batched-writer';
import type { Db } from '../db/client';
import { GenerationRows } from '../db/generation-rows';
import type { EventBus } from '../events/event-bus';
import type { Logger } from '../log';
import type { Orchestrator } from '../orchestrator/orchestrator-types';
import type { Upstream } from '../orchestrator/upstream';
import { ModelCatalog } from './catalog';
import { Ledger } from './ledger';
import type { MeteredDeps } from './metered-stream';

/**
 * Everything that meters a call: the group-commit writer, the ledger, the catalog, settlement
 * hooks, and the orchestrator they wrap (which knows nothing of them).
 */
export interface JobMetering extends MeteredDeps {
	orchestrator: Orchestrator;
	writer: BatchedWriter;
	/** The generation row's writes on the hot path, prepared once. */
	rows: GenerationRows;
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
	const writer = new BatchedWriter(deps.sqlite, { thread: true });
	const rows = new GenerationRows(writer);
	const showCost = writer.statement<{ id: string; source: string }>(
		`UPDATE generations SET cost_source = @source, cost_nano_usd =
		 (SELECT amount_nano_usd FROM ledger_records WHERE generation_id = @id AND kind = 'settlement' AND kind IN ('reservation', 'settlement'))
		 + coalesce((SELECT sum(amount_nano_usd) FROM ledger_records WHERE generation_id = @id AND kind = 'correction'), 0)
		 WHERE id = @id`
	);
	const ownerOf = deps.sqlite.prepare<[string], { userId: string; conversationId: string | null }>(
		'SELECT user_id AS userId, conversation_id AS conversationId FROM generations WHERE id = ?'
	);
	return {
		...deps,
		writer,
		rows,
		ledger: new Ledger(deps.sqlite, writer),
		catalog: new ModelCatalog(deps.db, deps.upstream, deps.log),
		pendingSettlements: new Set(),
		recordUpstreamId: (generationId, upstreamId, model) => {
			const firstTokenAt = Date.now();
			writer
				.write([rows.recordUpstreamId(generationId, upstreamId, model, firstTokenAt)], { commit: 'later' })
				.catch((error: unknown) => deps.log.error('could not record the provider id; reconciliation will estimate this call', { generationId, upstreamId, error }));
		},
		// The reply's row shows what was billed: its settlement plus its corrections, from the ledger itself.
		showCost: (generationId, source) => showCost.call({ id: generationId, source }),
		costShown: (generationId) => {
			const owner = ownerOf.get(generationId);
			if (owner?.conversationId) deps.bus.emit({ type: 'sync', userId: owner.userId });
		}
	};
}

/**
 * Waits for settlements still running (bounded: a lookup backs off for seconds at most), commits
 * what is queued and stops the commit thread.
 */
export async function drainSettlements(metering: JobMetering, timeoutMs: number): Promise<void> {
	const timeout = new Promise<void>((r) => setTimeout(r, timeoutMs).unref());
	await Promise.race([Promise.allSettled([...metering.pendingSettlements]), timeout]);
	await metering.writer.close();
}
