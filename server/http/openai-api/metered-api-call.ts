import { timeOrderedId } from '../../db/time-ordered-id';
import { admit, endStateWrite, type AdmissionRequest, type GenerationEnd } from '../../generations/admission';
import { VariablePriceModelError } from '../../ledger/admission';
import { UnknownModelError } from '../../ledger/catalog';
import { BudgetExceededError, ReservationNotSavedError } from '../../ledger/ledger-errors';
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
): Promise<AsyncGenerator<OrchestratorEvent>> {
	const generationId = timeOrderedId();
	try {
		const { events } = await admit(services.metering, { ...request, generationId, origin: 'api' });
		return withEndState(services, generationId, events);
	} catch (error) {
		if (error instanceof UnknownModelError || error instanceof VariablePriceModelError) {
			throw new OpenAiApiError(400, 'invalid_request_error', error.message, 'model_not_found', 'model');
		}
		if (error instanceof BudgetExceededError) throw new OpenAiApiError(402, 'insufficient_quota', error.message, 'budget_exceeded');
		throw error;
	}
}

async function* withEndState(services: Services, generationId: string, events: AsyncGenerator<OrchestratorEvent>): AsyncGenerator<OrchestratorEvent> {
	// A consumer that stops reading (client gone) ends here without an error: that is a cancel.
	let end: GenerationEnd = { state: 'cancelled' };
	try {
		for await (const event of events) {
			if (event.type === 'finish') end = { state: 'done', finish: event };
			yield event;
		}
	} catch (error) {
		if (error instanceof ReservationNotSavedError) {
			end = { state: 'failed', reason: error.message };
			throw new OpenAiApiError(503, 'service_unavailable', error.message, 'ledger_unavailable');
		}
		end =
			error instanceof OrchestratorError && error.kind === 'cancelled'
				? { state: 'cancelled' }
				: { state: 'failed', reason: error instanceof Error ? error.message : String(error) };
		throw error;
	} finally {
		services.metering.writer
			.write([endStateWrite(services.metering.rows, generationId, end)], { commit: 'later' })
			.catch((error: unknown) => services.log.error('could not record a call’s end; boot reconciliation will', { generationId, error }));
	}
}
