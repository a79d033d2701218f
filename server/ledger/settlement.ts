import { parseUsd, type NanoUsd } from '../../src/lib/domain/money';
import type { EventBus } from '../events/event-bus';
import type { Logger } from '../log';
import type { Upstream } from '../orchestrator/upstream';
import type { StatementCall } from '../db/write-statement';
import type { CatalogModel, ModelCatalog } from './catalog';
import { estimatedCost } from './estimate';
import { lookUpGeneration } from './generation-lookup';
import type { BudgetAlert, Ledger, SettlementSource } from './ledger';

export interface CallOutcome {
	generationId: string;
	/** Only an app reply has a conversation whose devices learn its cost. */
	origin: 'app' | 'api';
	/** The provider's generation id, when a response came at all. */
	upstreamId: string | null;
	/** The model that answered (fallbacks are priced at it), else the one asked for. */
	model: string;
	/** `usage.cost` from the final chunk, when the stream got that far. */
	providerCostUsd: number | null;
	tokensIn: number | null;
	tokensOut: number | null;
	/** For an estimate when the provider gave no token counts. */
	promptTokensEstimate: number;
	completionCharsSeen: number;
}

export interface SettlementDeps {
	ledger: Ledger;
	catalog: ModelCatalog;
	upstream: Upstream;
	bus: EventBus;
	log: Logger;
	/** The write that shows the billed figure on the reply's own row: it commits with the settlement. */
	showCost(generationId: string, source: SettlementSource): StatementCall;
	/** Once that has committed: tells the reply's owner (their devices pull the figure). */
	costShown(generationId: string): void;
}

/**
 * Settles a call from the best figure there is: the provider's `usage.cost`; else its
 * generation record (retried with backoff); else tokens × catalog price, marked `estimate`
 * and reconciled later. A call that never reached the provider costs nothing.
 */
export async function settleCall(
	deps: SettlementDeps,
	outcome: CallOutcome,
	signal?: AbortSignal
): Promise<{ amount: NanoUsd; source: SettlementSource }> {
	let amount: NanoUsd;
	let source: SettlementSource;
	let tokensIn = outcome.tokensIn;
	let tokensOut = outcome.tokensOut;
	if (outcome.providerCostUsd !== null) {
		amount = parseUsd(outcome.providerCostUsd);
		source = 'provider';
	} else if (outcome.upstreamId === null) {
		amount = 0 as NanoUsd;
		source = 'provider';
	} else {
		const found = await lookUpGeneration(deps.upstream, outcome.upstreamId, { signal });
		if (found) {
			amount = parseUsd(found.totalCostUsd);
			source = 'generation-lookup';
			tokensIn = found.tokensIn ?? tokensIn;
			tokensOut = found.tokensOut ?? tokensOut;
		} else {
			const model = catalogModel(deps.catalog, outcome.model);
			tokensIn ??= outcome.promptTokensEstimate;
			tokensOut ??= Math.ceil(outcome.completionCharsSeen / 4);
			amount = model ? estimatedCost(model, tokensIn, tokensOut) : (0 as NanoUsd);
			source = 'estimate';
			deps.log.warn('settled from an estimate; will reconcile later', { generationId: outcome.generationId, upstreamId: outcome.upstreamId });
		}
	}
	const settlement = { generationId: outcome.generationId, amountNanoUsd: amount, source, model: outcome.model, tokensIn, tokensOut };
	const alerts = await deps.ledger.settle(settlement, 'later', [deps.showCost(outcome.generationId, source)]);
	if (alerts) {
		announce(deps, alerts);
		if (outcome.origin === 'app') deps.costShown(outcome.generationId);
	}
	return { amount, source };
}

/** Every alert goes through the one bus, and into the log. */
export function announce(deps: Pick<SettlementDeps, 'bus' | 'log'>, alerts: BudgetAlert[]): void {
	for (const alert of alerts) {
		deps.log.warn(`budget alert: ${alert.scope} ${alert.scopeId} reached ${alert.threshold}% of its ${alert.period} limit`, {
			spentNanoUsd: alert.spentNanoUsd,
			limitNanoUsd: alert.limitNanoUsd
		});
		deps.bus.emit({ type: 'budget-alert', ...alert });
	}
}

function catalogModel(catalog: ModelCatalog, id: string): CatalogModel | null {
	try {
		return catalog.require(id);
	} catch {
		return null;
	}
}
