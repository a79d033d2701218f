import { describe, expect, it } from 'vitest';
import { extractDirectives } from './directives';
import { planReply } from './planned-reply';
import type { ChatRequest } from './request-schema';

const weather = {
	type: 'function' as const,
	function: {
		name: 'get_weather',
		parameters: { type: 'object', properties: { city: { type: 'string' }, unit: { enum: ['c', 'f'] }, days: { type: 'integer', minimum: 1, maximum: 3 } }, required: ['city'] }
	}
};
const time = { type: 'function' as const, function: { name: 'get_time', parameters: { type: 'object', properties: { tz: { type: 'string' } } } } };

function plan(request: Partial<ChatRequest> & Pick<ChatRequest, 'messages'>, directives = {}) {
	return planReply({ request: { model: 'sim/echo-mini', ...request }, directives, seed: 1, prompt: 'Weather?' });
}

describe('planReply', () => {
	it('`tool=` calls that tool with arguments that fit its schema, the same every time', () => {
		const request = { messages: [{ role: 'user' as const, content: 'Weather?' }], tools: [weather, time] };
		const first = plan(request, { tool: ['get_weather'] });
		expect(first).toEqual(plan(request, { tool: ['get_weather'] }));
		if (!first.ok || first.reply.kind !== 'tools') throw new Error('expected a tool call');
		const [call] = first.reply.calls;
		expect(call?.name).toBe('get_weather');
		expect(call?.id).toMatch(/^call_/);
		const args = JSON.parse(call?.arguments ?? '') as { city: string; unit: string; days: number };
		expect(typeof args.city).toBe('string');
		expect(['c', 'f']).toContain(args.unit);
		expect(args.days).toBeGreaterThanOrEqual(1);
		expect(args.days).toBeLessThanOrEqual(3);
	});

	it('`tool=a+b` makes parallel calls, one unless parallel_tool_calls allows more', () => {
		const request = { messages: [{ role: 'user' as const, content: 'x' }], tools: [weather, time] };
		const both = plan(request, { tool: ['get_weather', 'get_time'] });
		expect(both.ok && both.reply.kind === 'tools' && both.reply.calls.map((c) => c.name)).toEqual(['get_weather', 'get_time']);
		const one = plan({ ...request, parallel_tool_calls: false }, { tool: ['get_weather', 'get_time'] });
		expect(one.ok && one.reply.kind === 'tools' && one.reply.calls.length).toBe(1);
	});

	it('tool_choice naming a function, or "required", calls a tool; "none" and no choice answer in text', () => {
		const messages = [{ role: 'user' as const, content: 'x' }];
		const named = plan({ messages, tools: [weather, time], tool_choice: { function: { name: 'get_time' } } });
		expect(named.ok && named.reply.kind === 'tools' && named.reply.calls[0]?.name).toBe('get_time');
		const required = plan({ messages, tools: [weather, time], tool_choice: 'required' });
		expect(required.ok && required.reply.kind === 'tools' && required.reply.calls[0]?.name).toBe('get_weather');
		expect(plan({ messages, tools: [weather] }).ok && plan({ messages, tools: [weather] })).toMatchObject({ reply: { kind: 'text' } });
		expect(plan({ messages, tools: [weather], tool_choice: 'none' }, { tool: ['get_weather'] })).toMatchObject({ reply: { kind: 'text' } });
	});

	it('a tool the request does not define is an error', () => {
		expect(plan({ messages: [{ role: 'user', content: 'x' }], tools: [weather] }, { tool: ['launch'] })).toEqual({
			ok: false,
			error: 'Tool "launch" is not among the request\'s tools (get_weather)'
		});
	});

	it('echoes the results of the tool calls just answered instead of calling again', () => {
		const result = plan(
			{
				messages: [
					{ role: 'user', content: '[[sim:tool=get_weather]] Weather?' },
					{ role: 'assistant', content: null, tool_calls: [{ id: 'call_1', function: { name: 'get_weather', arguments: '{}' } }] },
					{ role: 'tool', tool_call_id: 'call_1', content: '{"temp":21}' }
				],
				tools: [weather]
			},
			{ tool: ['get_weather'] }
		);
		expect(result).toEqual({ ok: true, reply: { kind: 'text', text: 'Tool results:\n- get_weather returned: {"temp":21}' } });
	});

	it('answers JSON under response_format: any object for json_object, one that fits for json_schema', () => {
		const messages = [{ role: 'user' as const, content: 'x' }];
		const object = plan({ messages, response_format: { type: 'json_object' } });
		expect(object.ok && object.reply.kind === 'text' && JSON.parse(object.reply.text)).toEqual({ answer: expect.any(String), confidence: expect.any(Number) });
		const schema = { type: 'object', properties: { name: { type: 'string' }, tags: { type: 'array', items: { type: 'string' } }, ok: { type: 'boolean' } } };
		const fitted = plan({ messages, response_format: { type: 'json_schema', json_schema: { schema } } });
		expect(fitted.ok && fitted.reply.kind === 'text' && JSON.parse(fitted.reply.text)).toEqual({ name: expect.any(String), tags: [expect.any(String), expect.any(String)], ok: expect.any(Boolean) });
	});
});

describe('the tool directive', () => {
	it('reads function names joined by "+" and rejects anything else', () => {
		expect(extractDirectives('[[sim:tool=get_weather+get_time]] hi')).toEqual({ ok: true, directives: { tool: ['get_weather', 'get_time'] }, text: 'hi' });
		expect(extractDirectives('[[sim:tool]] hi')).toMatchObject({ ok: false, error: expect.stringMatching(/function names/) });
		expect(extractDirectives('[[sim:tool=a+]] hi')).toMatchObject({ ok: false });
	});
});
