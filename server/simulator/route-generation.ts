import type { ServerResponse } from 'node:http';
import { PROVIDER_NAME } from './chunks';
import type { SimulatorContext } from './context';
import { sendError } from './errors';
import { sendJson } from './http-io';
import type { GenerationRecord } from './stats';

function toGenerationData(record: GenerationRecord): Record<string, unknown> {
	const finishedAt = record.finishedAt ?? record.createdAt;
	const elapsed = finishedAt.getTime() - record.createdAt.getTime();
	return {
		id: record.id,
		upstream_id: null,
		total_cost: record.cost,
		cache_discount: null,
		upstream_inference_cost: null,
		created_at: record.createdAt.toISOString(),
		model: record.model,
		app_id: null,
		streamed: record.streamed,
		cancelled: record.status === 'aborted',
		provider_name: PROVIDER_NAME,
		latency: elapsed,
		moderation_latency: null,
		generation_time: elapsed,
		finish_reason: record.finishReason,
		native_finish_reason: record.finishReason,
		tokens_prompt: record.promptTokens,
		tokens_completion: record.completionTokens,
		native_tokens_prompt: record.promptTokens,
		native_tokens_completion: record.completionTokens,
		native_tokens_reasoning: 0,
		native_tokens_cached: 0,
		num_media_prompt: null,
		num_media_completion: null,
		num_search_results: null,
		origin: '',
		usage: record.cost,
		is_byok: false
	};
}

/** Like OpenRouter, a generation is only visible once it has ended (and lookup-404 can delay it more). */
export function handleGeneration(ctx: SimulatorContext, url: URL, res: ServerResponse): void {
	const id = url.searchParams.get('id');
	if (!id) return sendError(res, 400, 'Missing required query parameter: id');
	const record = ctx.stats.generations.get(id);
	if (!record || record.status === 'running') return sendError(res, 404, 'Generation not found');
	const misses = ctx.lookupMisses.get(id) ?? 0;
	if (misses > 0) {
		if (misses === 1) ctx.lookupMisses.delete(id);
		else ctx.lookupMisses.set(id, misses - 1);
		return sendError(res, 404, 'Generation not found');
	}
	sendJson(res, 200, { data: toGenerationData(record) });
}
