import { extraOutputChars } from '../orchestrator/delta-extra';
import type { EventStream } from '../orchestrator/event-stream';
import type { OrchestratorEvent } from '../orchestrator/orchestrator-types';
import type { PricedCall } from './admission';
import type { PendingReservation } from './pending-reservation';
import { settleCall, type CallOutcome, type SettlementDeps } from './settlement';

export interface MeteredDeps extends SettlementDeps {
	/** Settlements still running (a lookup can take seconds): shutdown and tests wait on these. */
	pendingSettlements: Set<Promise<unknown>>;
	/**
	 * Queues the provider's id for the writer's next batch, so that a crash can still be
	 * reconciled: it shares that batch's commit instead of holding up the first token with one.
	 */
	recordUpstreamId(generationId: string, upstreamId: string, model: string): void;
}

export interface MeteredCall {
	generationId: string;
	/** An app reply's row is shown in a conversation; an API call's is not. */
	origin: 'app' | 'api';
	/** The model asked for: priced at it until another one answers. */
	model: string;
	priced: PricedCall;
	reservation: PendingReservation;
}

/**
 * Meters one call from outside the orchestrator, attached to its stream rather than wrapping it
 * (server/orchestrator/event-stream.ts): its events pass, the first only once the reservation is
 * durable, then it settles however the stream ended: done, failed, cancelled or abandoned by its
 * consumer. Settlement runs after the stream ends and does not hold up the reply. A reservation
 * that could not be saved fails the call with that failure and leaves nothing to settle.
 */
export function meteredStream(deps: MeteredDeps, call: MeteredCall, events: EventStream<OrchestratorEvent>): EventStream<OrchestratorEvent> {
	const { generationId, reservation } = call;
	const outcome: CallOutcome = {
		generationId,
		origin: call.origin,
		upstreamId: null,
		model: call.model,
		providerCostUsd: null,
		tokensIn: null,
		tokensOut: null,
		promptTokensEstimate: call.priced.promptTokensEstimate,
		completionCharsSeen: 0
	};
	// The upstream was aborted because the reservation failed: that, not the abort, is why.
	if (!reservation.durable) events.hold(reservation.whenDurable());
	return events.observe({
		item(event) {
			if (event.type === 'start') {
				outcome.upstreamId = event.upstreamId || null;
				outcome.model = event.model;
				if (outcome.upstreamId) deps.recordUpstreamId(generationId, outcome.upstreamId, event.model);
			} else if (event.type === 'delta') {
				outcome.completionCharsSeen += event.text.length + (event.extra ? extraOutputChars(event.extra) : 0);
			} else {
				outcome.model = event.model;
				outcome.upstreamId ||= event.upstreamId || null;
				outcome.providerCostUsd = event.costUsd;
				outcome.tokensIn = event.promptTokens;
				outcome.tokensOut = event.completionTokens;
			}
		},
		end() {
			// A call that ended before its reservation committed settles after it; one never reserved, never.
			const settling = reservation.commit.then(
				() =>
					settleCall(deps, outcome).catch((error: unknown) =>
						deps.log.error('settlement failed; boot reconciliation will retry it', { generationId, error })
					),
				() => undefined
			);
			deps.pendingSettlements.add(settling);
			void settling.finally(() => deps.pendingSettlements.delete(settling));
		}
	});
}
