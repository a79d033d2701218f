import { describe, expect, it } from 'vitest';
import { estimatePromptTokens } from './estimate';
import { IMAGE_PART_TOKENS, promptSize } from './prompt-size';

describe('prompt estimate', () => {
	it("the app's plain turns are estimated as before", () => {
		expect(estimatePromptTokens([{ role: 'user', content: 'x'.repeat(35) }])).toBe(10 + 4 + 3);
	});

	it('an image counts a fixed high amount, never the length of its data URL', () => {
		const image = { type: 'image_url' as const, image_url: { url: `data:image/png;base64,${'A'.repeat(1_000_000)}` } };
		const tokens = estimatePromptTokens([{ role: 'user', content: [{ type: 'text', text: 'What is this?' }, image] }]);
		expect(tokens).toBeGreaterThanOrEqual(IMAGE_PART_TOKENS);
		expect(tokens).toBeLessThan(IMAGE_PART_TOKENS + 50);
	});

	it('tool definitions, tool calls and tool results all count', () => {
		const tools = [{ type: 'function', function: { name: 'get_weather', parameters: { type: 'object', properties: { city: { type: 'string' } } } } }];
		const messages = [
			{ role: 'user' as const, content: 'Weather?' },
			{ role: 'assistant' as const, content: null, tool_calls: [{ id: 'call_1', type: 'function' as const, function: { name: 'get_weather', arguments: '{"city":"Lisbon"}' } }] },
			{ role: 'tool' as const, tool_call_id: 'call_1', content: '{"temp":21,"sky":"clear"}' }
		];
		const size = promptSize(messages, { tools });
		const json = JSON.stringify.bind(JSON);
		expect(size.chars).toBe('Weather?'.length + json(messages[1]?.tool_calls).length + 'call_1'.length + '{"temp":21,"sky":"clear"}'.length + json({ tools }).length);
		expect(size.tools).toBe(1);
		expect(estimatePromptTokens(messages, { tools })).toBeGreaterThan(estimatePromptTokens(messages));
	});
});
