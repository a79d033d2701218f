import type { ChatCompletionChunk } from 'openai/resources/chat/completions';
import { describe, expect, it } from 'vitest';
import { deltaExtraOf } from '../../orchestrator/delta-extra';
import { ReplyAssembly } from './reply-assembly';

const choice = (delta: Record<string, unknown>, logprobs: ChatCompletionChunk.Choice['logprobs'] = null): ChatCompletionChunk.Choice =>
	({ index: 0, delta, finish_reason: null, logprobs }) as ChatCompletionChunk.Choice;

describe('deltaExtraOf', () => {
	it('finds nothing extra in a text chunk, even with the empty fields providers repeat', () => {
		expect(deltaExtraOf(choice({ role: 'assistant', content: 'hi', reasoning: null, reasoning_details: [], refusal: null }))).toBeUndefined();
	});

	it('keeps tool call pieces, reasoning and logprobs as the provider sent them', () => {
		const logprobs = { content: [{ token: 'hi', logprob: -0.1, bytes: [104, 105], top_logprobs: [] }], refusal: null };
		expect(deltaExtraOf(choice({ content: null, tool_calls: [{ index: 0, function: { arguments: '{"ci' } }] }))).toEqual({
			delta: { tool_calls: [{ index: 0, function: { arguments: '{"ci' } }] }
		});
		expect(deltaExtraOf(choice({ content: 'hi', reasoning: 'thinking' }, logprobs))).toEqual({ delta: { reasoning: 'thinking' }, logprobs });
	});
});

describe('ReplyAssembly', () => {
	it('puts parallel tool calls together by index from arguments split across any number of pieces', () => {
		const reply = new ReplyAssembly();
		const pieces = [
			{ index: 0, id: 'call_a', type: 'function', function: { name: 'get_weather', arguments: '' } },
			{ index: 1, id: 'call_b', type: 'function', function: { name: 'get_time', arguments: '{"tz"' } },
			{ index: 0, function: { arguments: '{"ci' } },
			{ index: 0, function: { arguments: 'ty":"Lis' } },
			{ index: 1, function: { arguments: ':"UTC"}' } },
			{ index: 0, function: { name: 'get_weather', arguments: 'bon"}' } }
		];
		for (const piece of pieces) reply.add('', { delta: { tool_calls: [piece as never] } });
		expect(reply.message()).toEqual({
			role: 'assistant',
			content: null,
			refusal: null,
			tool_calls: [
				{ id: 'call_a', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Lisbon"}' } },
				{ id: 'call_b', type: 'function', function: { name: 'get_time', arguments: '{"tz":"UTC"}' } }
			]
		});
	});

	it('joins text, refusal and reasoning, concatenates reasoning details and logprobs', () => {
		const reply = new ReplyAssembly();
		const token = (t: string) => ({ token: t, logprob: -1, bytes: null, top_logprobs: [] });
		reply.add('Hel', { delta: { reasoning: 'First ', reasoning_details: [{ type: 'reasoning.text', text: 'a' }] }, logprobs: { content: [token('Hel')], refusal: null } });
		reply.add('lo', { delta: { reasoning: 'think.', reasoning_details: [{ type: 'reasoning.text', text: 'b' }] }, logprobs: { content: [token('lo')], refusal: null } });
		reply.add('', { delta: { refusal: 'No.' } });
		expect(reply.message()).toEqual({
			role: 'assistant',
			content: 'Hello',
			refusal: 'No.',
			reasoning: 'First think.',
			reasoning_details: [
				{ type: 'reasoning.text', text: 'a' },
				{ type: 'reasoning.text', text: 'b' }
			]
		});
		expect(reply.logprobs()).toEqual({ content: [token('Hel'), token('lo')], refusal: [] });
	});

	it('a refusal alone has content null', () => {
		const reply = new ReplyAssembly();
		reply.add('', { delta: { refusal: 'I can' } });
		reply.add('', { delta: { refusal: "'t help." } });
		expect(reply.message()).toEqual({ role: 'assistant', content: null, refusal: "I can't help." });
	});

	it('a plain text reply has content "" when empty and no logprobs', () => {
		const reply = new ReplyAssembly();
		expect(reply.message()).toEqual({ role: 'assistant', content: '', refusal: null });
		expect(reply.logprobs()).toBeNull();
	});
});
