import { eq } from 'drizzle-orm';
import { parseUsd } from '../../src/lib/domain/money';
import type { Db, DbOrTx } from '../db/client';
import { generations } from '../db/schema';
import { priceCall } from '../ledger/admission';
import { meteredStream } from '../ledger/metered-stream';
import type { JobMetering } from '../ledger/metering';
import type { OrchestratorEvent, OrchestratorRequest } from '../orchestrator/orchestrator-types';

export interface AdmissionRequest extends Omit<OrchestratorRequest, 'maxTokens'> {
	generationId: string;
	/** The app's replies have a row already (created by generation.request); /v1 calls get one here. */
	origin: 'app' | 'api';
	maxTokens?: number;
}

/**
 * The one way a call reaches a provider, for the app's replies and /v1 alike: a known model with a
 * fixed price, its worst case reserved against every budget together with the generation row going
 * to `running` (one transaction), then the metered stream, which settles however it ends.
 * Throws UnknownModelError, VariablePriceModelError or BudgetExceededError, having spent nothing.
 */
export async function admit(metering: JobMetering, db: Db, request: AdmissionRequest): Promise<AsyncGenerator<OrchestratorEvent>> {
	await metering.catalog.loaded();
	const priced = priceCall(metering.catalog, request.models, request.messages, request.maxTokens);
	await metering.writer.run(() => {
		const now = Date.now();
		const running = { state: 'running' as const, startedAt: now, maxTokens: priced.maxTokens, promptTokensEstimate: priced.promptTokensEstimate };
		db.insert(generations)
			.values({ id: request.generationId, userId: request.userId, origin: request.origin, models: request.models, createdAt: now, ...running })
			.onConflictDoUpdate({ target: generations.id, set: running })
			.run();
		metering.ledger.reserveNow({ generationId: request.generationId, userId: request.userId, model: request.models[0] ?? '', amountNanoUsd: priced.worstCaseNanoUsd });
	});
	return meteredStream(metering, request.generationId, priced, request);
}

export type GenerationEnd =
	| { state: 'done'; finish: Extract<OrchestratorEvent, { type: 'finish' }> }
	| { state: 'cancelled'; model?: string | null }
	| { state: 'failed'; reason: string; model?: string | null };

/** Writes a generation's one terminal state; call inside a writer operation. */
export function recordEnd(tx: DbOrTx, generationId: string, end: GenerationEnd, now = Date.now()): void {
	const fields =
		end.state === 'done'
			? {
					model: end.finish.model,
					tokensIn: end.finish.promptTokens,
					tokensOut: end.finish.completionTokens,
					...(end.finish.costUsd === null ? {} : { costNanoUsd: parseUsd(end.finish.costUsd), costSource: 'provider' as const })
				}
			: end.model
				? { model: end.model }
				: {};
	tx.update(generations)
		.set({ state: end.state, failureReason: end.state === 'failed' ? end.reason : null, finishedAt: now, ...fields })
		.where(eq(generations.id, generationId))
		.run();
}
