import { describe, expect, it } from 'vitest';
import { parseChatRequest, toUpstream } from './chat-request';
import type { OpenAiApiError } from './errors';

const model = 'sim/echo-mini';
const hi = [{ role: 'user', content: 'hi' }];
const weather = { type: 'function', function: { name: 'get_weather', parameters: { type: 'object', properties: { city: { type: 'string' } } } } };

function rejection(body: unknown): Pick<OpenAiApiError, 'status' | 'param' | 'code' | 'message'> {
	try {
		parseChatRequest(body);
	} catch (error) {
		const { status, param, code, message } = error as OpenAiApiError;
		return { status, param, code, message };
	}
	throw new Error('expected a 400');
}

describe('parseChatRequest', () => {
	it('accepts a whole tool-calling conversation: developer, user with an image, assistant tool call, tool result', () => {
		const request = parseChatRequest({
			model,
			messages: [
				{ role: 'developer', content: 'Answer briefly.' },
				{ role: 'user', content: [{ type: 'text', text: 'Weather here?' }, { type: 'image_url', image_url: { url: 'data:image/png;base64,iVBORw0KGgo=', detail: 'low' } }] },
				{ role: 'assistant', content: null, tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Lisbon"}' } }] },
				{ role: 'tool', tool_call_id: 'call_1', content: '{"temp":21}' }
			],
			tools: [weather],
			tool_choice: 'auto',
			parallel_tool_calls: false
		});
		expect(request.messages).toHaveLength(4);
	});

	it('accepts a response message sent back as it came (the openai SDK adds `parsed`), without forwarding the response-only fields', () => {
		const call = { id: 'call_1', type: 'function', function: { name: 'get_weather', arguments: '{}' } };
		const request = parseChatRequest({
			model,
			messages: [
				...hi,
				{ role: 'assistant', content: null, refusal: null, parsed: null, annotations: [], audio: null, function_call: null, tool_calls: [{ ...call, parsed_arguments: null }] },
				{ role: 'tool', tool_call_id: 'call_1', content: 'sunny' }
			],
			tools: [weather]
		});
		expect(JSON.parse(JSON.stringify(toUpstream(request).messages[1]))).toEqual({ role: 'assistant', content: null, refusal: null, tool_calls: [call] });
	});

	it('accepts every forwarded field and passes on only those with a value', () => {
		const request = parseChatRequest({
			model,
			messages: hi,
			n: 1,
			tools: [weather],
			tool_choice: { type: 'function', function: { name: 'get_weather' } },
			response_format: { type: 'json_schema', json_schema: { name: 'answer', schema: { type: 'object' }, strict: true } },
			stop: ['END'],
			top_p: 0.9,
			frequency_penalty: 0.5,
			presence_penalty: -0.5,
			seed: 7,
			user: 'agent-1',
			logprobs: true,
			top_logprobs: 3,
			reasoning: { effort: 'low' },
			provider: { order: ['openai'], allow_fallbacks: false, sort: 'price', max_price: { prompt: 1 } },
			transforms: ['middle-out'],
			temperature: null
		});
		const { params } = toUpstream(request);
		expect(Object.keys(params).sort()).toEqual(
			['frequency_penalty', 'logprobs', 'presence_penalty', 'provider', 'reasoning', 'response_format', 'seed', 'stop', 'tool_choice', 'tools', 'top_logprobs', 'top_p', 'transforms', 'user'].sort()
		);
		expect(params['provider']).toEqual({ order: ['openai'], allow_fallbacks: false, sort: 'price', max_price: { prompt: 1 } });
	});

	it('accepts a reasoning budget below max_tokens, or with no max_tokens given', () => {
		expect(parseChatRequest({ model, messages: hi, max_tokens: 4000, reasoning: { max_tokens: 2000 } }).reasoning).toEqual({ max_tokens: 2000 });
		expect(parseChatRequest({ model, messages: hi, reasoning: { max_tokens: 2000, exclude: true } }).reasoning).toEqual({ max_tokens: 2000, exclude: true });
	});

	it.each([
		[{ model, messages: hi, n: 2 }, 'n', /only n = 1/],
		[{ model, messages: hi, functions: [] }, 'functions', /not supported/],
		[{ model, messages: [{ role: 'user', content: 'x', audio: {} }] }, 'messages.0.audio', /not supported/],
		[{ model, messages: [{ role: 'tool', tool_call_id: 'nope', content: 'x' }] }, 'messages.0.tool_call_id', /answers no tool call/],
		[{ model, messages: [{ role: 'assistant', content: null }] }, 'messages.0.content', /needs content, tool_calls or refusal/],
		[{ model, messages: [{ role: 'user', content: [{ type: 'image_url', image_url: { url: 'file:///etc/passwd' } }] }] }, 'messages.0.content.0.image_url.url', /https/],
		[{ model, messages: hi, tools: [{ type: 'function', function: { name: 'has space' } }] }, 'tools.0.function.name', /letters, digits/],
		[{ model, messages: hi, tools: [weather, weather] }, 'tools', /two tools are named "get_weather"/],
		[{ model, messages: hi, tool_choice: 'required' }, 'tool_choice', /needs `tools`/],
		[{ model, messages: hi, tools: [weather], tool_choice: { type: 'function', function: { name: 'other' } } }, 'tool_choice.function.name', /not one of the request's tools/],
		[{ model, messages: hi, response_format: { type: 'xml' } }, 'response_format.type', /json_schema/],
		[{ model, messages: hi, top_logprobs: 2 }, 'top_logprobs', /logprobs: true/],
		[{ model, messages: hi, top_p: 2 }, 'top_p', /1/],
		[{ model, messages: hi, reasoning: { effort: 'huge' } }, 'reasoning.effort', /high/],
		[{ model, messages: hi, reasoning: { effort: 'low', max_tokens: 2000 } }, 'reasoning.max_tokens', /effort` or `reasoning.max_tokens`, not both/],
		[{ model, messages: hi, max_tokens: 2000, reasoning: { max_tokens: 2000 } }, 'reasoning.max_tokens', /less than max_tokens \(2000\)/],
		[{ model, messages: hi, max_tokens: 9000, max_completion_tokens: 1500, reasoning: { max_tokens: 2000 } }, 'reasoning.max_tokens', /less than max_tokens \(1500\)/],
		[{ model, messages: hi, provider: { favourite: 'x' } }, 'provider.favourite', /not supported/]
	])('400 naming the field: %j', (body, param, message) => {
		const error = rejection(body);
		expect(error.status).toBe(400);
		expect(error.param).toBe(param);
		expect(error.message).toMatch(message);
		expect(error.message.startsWith(`${param}: `)).toBe(true);
	});
});
