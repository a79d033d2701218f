import { setTimeout as sleep } from 'node:timers/promises';
import { z } from 'zod';
import type { Upstream } from '../orchestrator/upstream';

const GenerationRecord = z.object({
	data: z.object({
		total_cost: z.number().nonnegative(),
		tokens_prompt: z.number().int().nullish(),
		tokens_completion: z.number().int().nullish(),
		native_tokens_prompt: z.number().int().nullish(),
		native_tokens_completion: z.number().int().nullish(),
		model: z.string().nullish()
	})
});

export interface LookedUp {
	totalCostUsd: number;
	tokensIn: number | null;
	tokensOut: number | null;
	model: string | null;
}

/** Retry delays for GET /generation: it 404s for a moment after a stream ends. */
export const LOOKUP_DELAYS_MS = [250, 500, 1_000, 2_000, 4_000];

/**
 * What the provider billed for a generation, from `GET /generation?id=`; null when it
 * cannot be had after the retries (the caller then settles from an estimate). An abort
 * throws instead: a lookup cut short by shutdown proves nothing, so nothing is settled.
 */
export async function lookUpGeneration(
	upstream: Upstream,
	upstreamId: string,
	options: { delays?: readonly number[]; signal?: AbortSignal } = {}
): Promise<LookedUp | null> {
	const { delays = LOOKUP_DELAYS_MS, signal } = options;
	for (let attempt = 0; ; attempt++) {
		try {
			const raw = await upstream.client.get('/generation', { query: { id: upstreamId }, maxRetries: 0, timeout: 10_000, signal });
			const { data } = GenerationRecord.parse(raw);
			return {
				totalCostUsd: data.total_cost,
				tokensIn: data.native_tokens_prompt ?? data.tokens_prompt ?? null,
				tokensOut: data.native_tokens_completion ?? data.tokens_completion ?? null,
				model: data.model ?? null
			};
		} catch {
			signal?.throwIfAborted();
			const delay = delays[attempt];
			if (delay === undefined) return null;
			await sleep(delay, undefined, { signal, ref: false }).catch(() => signal?.throwIfAborted());
		}
	}
}
