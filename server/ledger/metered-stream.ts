import type { Orchestrator, OrchestratorEvent, OrchestratorRequest } from '../orchestrator/orchestrator-types';
import type { PricedCall } from './admission';
import { settleCall, type CallOutcome, type SettlementDeps } from './settlement';

export interface MeteredDeps extends SettlementDeps {
	orchestrator: Orchestrator;
	/** Settlements still running (a lookup can take seconds): shutdown and tests wait on these. */
	pendingSettlements: Set<Promise<unknown>>;
	/** Persists the provider's id as soon as it is known, so a crash can still be reconciled. */
	recordUpstreamId(generationId: string, upstreamId: string, model: string): Promise<void>;
}

/**
 * Streams a call whose worst case is already reserved, then settles it however it ended:
 * done, failed, cancelled or abandoned by its consumer. Settlement runs after the stream
 * ends and does not hold up the reply.
 */
export async function* meteredStream(
	deps: MeteredDeps,
	generationId: string,
	priced: PricedCall,
	request: Omit<OrchestratorRequest, 'maxTokens'>
): AsyncGenerator<OrchestratorEvent> {
	const outcome: CallOutcome = {
		generationId,
		upstreamId: null,
		model: request.models[0] ?? '',
		providerCostUsd: null,
		tokensIn: null,
		tokensOut: null,
		promptTokensEstimate: priced.promptTokensEstimate,
		completionCharsSeen: 0
	};
	try {
		for await (const event of deps.orchestrator.stream({ ...request, maxTokens: priced.maxTokens })) {
			if (event.type === 'start') {
				outcome.upstreamId = event.upstreamId || null;
				outcome.model = event.model;
				if (outcome.upstreamId) await deps.recordUpstreamId(generationId, outcome.upstreamId, event.model);
			} else if (event.type === 'delta') {
				outcome.completionCharsSeen += event.text.length;
			} else {
				outcome.model = event.model;
				outcome.upstreamId ||= event.upstreamId || null;
				outcome.providerCostUsd = event.costUsd;
				outcome.tokensIn = event.promptTokens;
				outcome.tokensOut = event.completionTokens;
			}
			yield event;
		}
	} finally {
		const settling = settleCall(deps, outcome).catch((error: unknown) =>
			deps.log.error('settlement failed; boot reconciliation will retry it', { generationId, error })
		);
		deps.pendingSettlements.add(settling);
		void settling.finally(() => deps.pendingSettlements.delete(settling));
	}
}
