import { describe, expect, it } from 'vitest';
import type { OrchestratorEvent } from '../../orchestrator/orchestrator-types';
import { serve } from './sse-test-server';

describe('streamCompletion (SSE framing)', () => {
	it('writes every chunk exactly as JSON.stringify of the OpenAI chunk object', async () => {
		const texts = ['Hé', 'llo "quoted"\n', '\u2028 line sep', '😀 emoji', 'back\\slash', '</script>', 'x'];
		const body = await serve([
			{ type: 'start', model: 'vendor/model-a', upstreamId: 'gen-123' },
			...texts.map((text): OrchestratorEvent => ({ type: 'delta', text })),
			{ type: 'finish', model: 'vendor/model-b', upstreamId: 'gen-123', finishReason: 'stop', promptTokens: 3, completionTokens: 7, costUsd: 0.25 }
		]);
		const base = { id: 'gen-123', object: 'chat.completion.chunk', created: 1_700_000_000, model: 'vendor/model-a' };
		const choice = (delta: object, finish: string | null = null) => [{ index: 0, delta, logprobs: null, finish_reason: finish }];
		const expected = [
			{ ...base, choices: choice({ role: 'assistant', content: '' }) },
			...texts.map((content) => ({ ...base, choices: choice({ content }) })),
			{ ...base, model: 'vendor/model-b', choices: choice({}, 'stop') },
			{ ...base, model: 'vendor/model-b', choices: [], usage: { prompt_tokens: 3, completion_tokens: 7, total_tokens: 10, cost: 0.25 } }
		];
		expect(body).toBe(expected.map((e) => `data: ${JSON.stringify(e)}\n\n`).join('') + 'data: [DONE]\n\n');
	});
});
