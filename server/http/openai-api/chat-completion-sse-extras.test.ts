import { describe, expect, it } from 'vitest';
import type { OrchestratorEvent } from '../../orchestrator/orchestrator-types';
import { serve as serveEvents } from './sse-test-server';

const serve = (events: OrchestratorEvent[]) => serveEvents(events, { created: 1_700_000_000, includeUsage: false, requestedModel: 'asked/model' });

describe('streamCompletion: deltas with more than text', () => {
	it('forwards tool call pieces, reasoning and logprobs as the provider sent them, then finish_reason tool_calls', async () => {
		const logprobs = { content: [{ token: 'Let', logprob: -0.01, bytes: [76, 101, 116], top_logprobs: [] }], refusal: null };
		const body = await serve([
			{ type: 'start', model: 'vendor/model', upstreamId: 'gen-1' },
			{ type: 'delta', text: '', extra: { delta: { reasoning: 'The user wants weather.' } } },
			{ type: 'delta', text: 'Let', extra: { delta: {}, logprobs } },
			{ type: 'delta', text: '', extra: { delta: { tool_calls: [{ index: 0, id: 'call_1', type: 'function', function: { name: 'get_weather', arguments: '' } }] } } },
			{ type: 'delta', text: '', extra: { delta: { tool_calls: [{ index: 0, function: { arguments: '{"city":' } }] } } },
			{ type: 'delta', text: '', extra: { delta: { tool_calls: [{ index: 0, function: { arguments: '"Lisbon"}' } }] } } },
			{ type: 'finish', model: 'vendor/model', upstreamId: 'gen-1', finishReason: 'tool_calls', promptTokens: 3, completionTokens: 7, costUsd: null }
		]);
		const base = { id: 'gen-1', object: 'chat.completion.chunk', created: 1_700_000_000, model: 'vendor/model' };
		const chunk = (delta: object, finish: string | null = null, lp: object | null = null) => ({ ...base, choices: [{ index: 0, delta, logprobs: lp, finish_reason: finish }] });
		const expected = [
			chunk({ role: 'assistant', content: '' }),
			chunk({ reasoning: 'The user wants weather.' }),
			chunk({ content: 'Let' }, null, logprobs),
			chunk({ tool_calls: [{ index: 0, id: 'call_1', type: 'function', function: { name: 'get_weather', arguments: '' } }] }),
			chunk({ tool_calls: [{ index: 0, function: { arguments: '{"city":' } }] }),
			chunk({ tool_calls: [{ index: 0, function: { arguments: '"Lisbon"}' } }] }),
			chunk({}, 'tool_calls')
		];
		expect(body).toBe(expected.map((e) => `data: ${JSON.stringify(e)}\n\n`).join('') + 'data: [DONE]\n\n');
	});
});
