import { addNano, costOf, formatUsd, nanoUsd, parsePrice, type NanoUsd } from '../domain/money';
import type { GenerationRow } from '../domain/sync';
import type { CatalogModel } from './catalog.svelte';

export interface ReplyCost {
	amount: NanoUsd;
	/** `billed`: from the ledger (the provider's figure); `estimate`: tokens × catalog price, or a ledger estimate. */
	kind: 'billed' | 'estimate';
}

/** What a reply cost: the ledger's figure once settled, else tokens × the catalog's price; null when unknown. */
export function replyCost(generation: GenerationRow | undefined, model: CatalogModel | undefined): ReplyCost | null {
	if (!generation) return null;
	if (generation.costNanoUsd !== null) return { amount: nanoUsd(generation.costNanoUsd), kind: generation.costSource === 'estimate' ? 'estimate' : 'billed' };
	if (generation.tokensIn === null || generation.tokensOut === null || !model || model.variablePrice) return null;
	const amount = addNano(costOf(generation.tokensIn, parsePrice(model.pricing.prompt)), costOf(generation.tokensOut, parsePrice(model.pricing.completion)));
	return { amount, kind: 'estimate' };
}

/** "$0.0012" or "≈ $0.0012 (estimate)". */
export function costText(cost: ReplyCost | null): string {
	if (!cost) return '—';
	return cost.kind === 'billed' ? formatUsd(cost.amount) : `≈ ${formatUsd(cost.amount)} (estimate)`;
}

/** Seconds with one decimal below 10 s: "0.4 s", "12 s". */
export function durationText(ms: number | null): string {
	if (ms === null || ms < 0) return '—';
	const s = ms / 1000;
	return s < 10 ? `${s.toFixed(1)} s` : `${Math.round(s)} s`;
}

export function timings(generation: GenerationRow | undefined): { firstTokenMs: number | null; totalMs: number | null } {
	if (!generation?.startedAt) return { firstTokenMs: null, totalMs: null };
	return {
		firstTokenMs: generation.firstTokenAt === null ? null : generation.firstTokenAt - generation.startedAt,
		totalMs: generation.finishedAt === null ? null : generation.finishedAt - generation.startedAt
	};
}
