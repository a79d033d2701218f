import { eq } from 'drizzle-orm';
import { randomUUID } from 'node:crypto';
import { generations } from '../../db/schema';
import { priceCall, VariablePriceModelError } from '../../ledger/admission';
import { UnknownModelError } from '../../ledger/catalog';
import { BudgetExceededError } from '../../ledger/ledger-errors';
import { meteredStream } from '../../ledger/metered-stream';
import { OrchestratorError } from '../../orchestrator/orchestrator-error';
import type { OrchestratorEvent, OrchestratorRequest } from '../../orchestrator/orchestrator-types';
import type { Services } from '../../services';
import { OpenAiApiError } from './errors';

/**
 * Admits an API call like an app reply: a known model, its worst case reserved against the
 * budgets (402 when one would be passed), a `generations` row so a crash can be reconciled,
 * then the metered stream. The row gets its terminal state when the stream ends.
 */
export async function admitApiCall(
	services: Services,
	request: Omit<OrchestratorRequest, 'maxTokens'> & { maxTokens?: number }
): Promise<AsyncGenerator<OrchestratorEvent>> {
	const { metering, db } = services;
	let priced;
	await metering.catalog.loaded();
	try {
		priced = priceCall(metering.catalog, request.models, request.messages, request.maxTokens);
	} catch (error) {
		if (error instanceof UnknownModelError || error instanceof VariablePriceModelError) {
			throw new OpenAiApiError(400, 'invalid_request_error', error.message, 'model_not_found', 'model');
		}
		throw error;
	}
	const generationId = randomUUID();
	try {
		await metering.writer.run(() => {
			const now = Date.now();
			db.insert(generations)
				.values({ id: generationId, userId: request.userId, origin: 'api', models: request.models, state: 'running', maxTokens: priced.maxTokens, promptTokensEstimate: priced.promptTokensEstimate, createdAt: now, startedAt: now })
				.run();
			metering.ledger.reserveNow({ generationId, userId: request.userId, model: request.models[0] ?? '', amountNanoUsd: priced.worstCaseNanoUsd });
		});
	} catch (error) {
		if (error instanceof BudgetExceededError) throw new OpenAiApiError(402, 'insufficient_quota', error.message, 'budget_exceeded');
		throw error;
	}
	return recordEnd(services, generationId, meteredStream(metering, generationId, priced, request));
}

async function* recordEnd(services: Services, generationId: string, events: AsyncGenerator<OrchestratorEvent>): AsyncGenerator<OrchestratorEvent> {
	let state: 'done' | 'failed' | 'cancelled' = 'cancelled';
	let failureReason: string | null = null;
	let finish: Extract<OrchestratorEvent, { type: 'finish' }> | null = null;
	try {
		for await (const event of events) {
			if (event.type === 'finish') finish = event;
			yield event;
		}
		state = 'done';
	} catch (error) {
		state = error instanceof OrchestratorError && error.kind === 'cancelled' ? 'cancelled' : 'failed';
		failureReason = error instanceof Error ? error.message : String(error);
		throw error;
	} finally {
		void services.metering.writer.run(() =>
			services.db
				.update(generations)
				.set({
					state,
					failureReason: state === 'failed' ? failureReason : null,
					finishedAt: Date.now(),
					...(finish ? { model: finish.model, tokensIn: finish.promptTokens, tokensOut: finish.completionTokens } : {})
				})
				.where(eq(generations.id, generationId))
				.run()
		);
	}
}
