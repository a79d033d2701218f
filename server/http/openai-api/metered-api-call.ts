import { timeOrderedId } from '../../db/time-ordered-id';
import { admit, endStateWrite, type AdmissionRequest, type GenerationEnd } from '../../generations/admission';
import { ReasoningBudgetError, VariablePriceModelError } from '../../ledger/admission';
import { UnknownModelError } from '../../ledger/catalog';
import { BudgetExceededError, ReservationNotSavedError } from '../../ledger/ledger-errors';
import type { EventStream } from '../../orchestrator/event-stream';
import { OrchestratorError } from '../../orchestrator/orchestrator-error';
import type { OrchestratorEvent } from '../../orchestrator/orchestrator-types';
import type { Services } from '../../services';
import { OpenAiApiError } from './errors';

/**
 * Admits an API call through the same path as an app reply (price, reserve, generation row,
 * metered stream), mapping refusals to OpenAI's errors; the row gets its end state when the
 * stream ends.
 */
export async function admitApiCall(
	services: Services,
	request: Omit<AdmissionRequest, 'generationId' | 'origin'>
): Promise<EventStream<OrchestratorEvent>> {
	const generationId = timeOrderedId();
	try {
		const { events } = await admit(services.metering, { ...request, generationId, origin: 'api' });
		return withEndState(services, generationId, events);
	} catch (error) {
		if (error instanceof UnknownModelError || error instanceof VariablePriceModelError) {
			throw new OpenAiApiError(400, 'invalid_request_error', error.message, 'model_not_found', 'model');
		}
		if (error instanceof ReasoningBudgetError) throw new OpenAiApiError(400, 'invalid_request_error', error.message, 'invalid_value', 'reasoning.max_tokens');
		if (error instanceof BudgetExceededError) throw new OpenAiApiError(402, 'insufficient_quota', error.message, 'budget_exceeded');
		throw error;
	}
}

/**
 * Records the call's end state once its consumer met the end: done once the finish event has
 * been taken, cancelled when the consumer stopped first (client gone) or on a Stop, failed
 * otherwise. A reservation that could not be saved reaches the client as a 503.
 */
function withEndState(services: Services, generationId: string, events: EventStream<OrchestratorEvent>): EventStream<OrchestratorEvent> {
	let end: GenerationEnd = { state: 'cancelled' };
	return events
		.observe({
			item(event) {
				if (event.type === 'finish') end = { state: 'done', finish: event };
			},
			end(how) {
				if (how.how === 'failed') end = endOfFailure(how.error);
				services.metering.writer
					.write([endStateWrite(services.metering.rows, generationId, end)], { commit: 'later' })
					.catch((error: unknown) => services.log.error('could not record a call’s end; boot reconciliation will', { generationId, error }));
			}
		})
		.mapError((error) => (error instanceof ReservationNotSavedError ? new OpenAiApiError(503, 'service_unavailable', error.message, 'ledger_unavailable') : error));
}

function endOfFailure(error: unknown): GenerationEnd {
	if (error instanceof ReservationNotSavedError) return { state: 'failed', reason: error.message };
	if (error instanceof OrchestratorError && error.kind === 'cancelled') return { state: 'cancelled' };
	return { state: 'failed', reason: error instanceof Error ? error.message : String(error) };
}
