import { parseUsd } from '../../src/lib/domain/money';
import type { GenerationRows } from '../db/generation-rows';
import type { StatementCall } from '../db/write-statement';
import { priceCall } from '../ledger/admission';
import { meteredStream } from '../ledger/metered-stream';
import type { JobMetering } from '../ledger/metering';
import { PendingReservation } from '../ledger/pending-reservation';
import type { EventStream } from '../orchestrator/event-stream';
import type { OrchestratorEvent, OrchestratorRequest } from '../orchestrator/orchestrator-types';

export interface AdmissionRequest extends Omit<OrchestratorRequest, 'maxTokens' | 'signal'> {
	generationId: string;
	/** Who pays: the budgets checked and the ledger's rows are theirs (and their team's). */
	userId: string;
	/** The app's replies have a row already (created by generation.request); /v1 calls get one here. */
	origin: 'app' | 'api';
	maxTokens?: number;
	/**
	 * The caller's abort (Stop, client gone), whose signal the upstream request follows.
	 * Admission aborts it too when the reservation cannot be saved.
	 */
	abort: AbortController;
}

export interface Admission {
	/** Starts the upstream request when first read; its first event waits for `durable`. */
	events: EventStream<OrchestratorEvent>;
	/** Resolves once the reservation and the generation row are committed; rejects when they cannot be. */
	durable: Promise<void>;
}

/**
 * The one way a call reaches a provider, for the app's replies and /v1 alike: a known model with a
 * fixed price, its worst case checked and held against every budget in one synchronous step, the
 * reservation and the generation row going to `running` queued for the next commit, then the
 * metered stream. Nothing durable precedes the upstream request: the commit overlaps it, and the
 * first token is forwarded once the reservation is durable (docs/architecture.md#the-hot-path).
 * Throws UnknownModelError, VariablePriceModelError or BudgetExceededError, having spent nothing.
 */
export async function admit(metering: JobMetering, request: AdmissionRequest): Promise<Admission> {
	await metering.catalog.loaded();
	const priced = priceCall(metering.catalog, request.models, request.messages, request.maxTokens, request.params);
	const model = request.models[0] ?? '';
	const row = {
		id: request.generationId,
		userId: request.userId,
		origin: request.origin,
		models: request.models,
		maxTokens: priced.maxTokens,
		promptTokensEstimate: priced.promptTokensEstimate
	};
	const commit = metering.ledger.hold({ generationId: request.generationId, userId: request.userId, model, amountNanoUsd: priced.worstCaseNanoUsd }, [
		metering.rows.markRunning(row, Date.now())
	]);
	const abort = request.abort;
	const reservation = new PendingReservation(commit, (failure) => {
		metering.log.error('a reservation could not be saved; the call was stopped before its first token', { generationId: request.generationId, error: failure.cause });
		abort.abort(failure);
	});
	const upstream = metering.orchestrator.stream({
		models: request.models,
		messages: request.messages,
		...(request.params ? { params: request.params } : {}),
		maxTokens: priced.maxTokens,
		temperature: request.temperature,
		signal: abort.signal
	});
	return { events: meteredStream(metering, { generationId: request.generationId, origin: request.origin, model, priced, reservation }, upstream), durable: commit };
}

export type GenerationEnd =
	| { state: 'done'; finish: Extract<OrchestratorEvent, { type: 'finish' }> }
	| { state: 'cancelled'; model?: string | null }
	| { state: 'failed'; reason: string; model?: string | null };

/** The write of a generation's one terminal state. */
export function endStateWrite(rows: GenerationRows, generationId: string, end: GenerationEnd, now = Date.now()): StatementCall {
	const finish = end.state === 'done' ? end.finish : null;
	return rows.recordEnd(
		generationId,
		{
			state: end.state,
			failureReason: end.state === 'failed' ? end.reason : null,
			model: finish ? finish.model : end.state === 'done' ? null : end.model || null,
			tokensIn: finish?.promptTokens ?? null,
			tokensOut: finish?.completionTokens ?? null,
			costNanoUsd: finish && finish.costUsd !== null ? parseUsd(finish.costUsd) : null,
			costSource: finish && finish.costUsd !== null ? 'provider' : null
		},
		now
	);
}
