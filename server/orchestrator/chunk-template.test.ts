import fc from 'fast-check';
import type { ChatCompletionChunk } from 'openai/resources/chat/completions';
import { describe, expect, it } from 'vitest';
import { ChunkTemplate } from './chunk-template';
import { deltaExtraOf } from './delta-extra';

/** An OpenRouter-shaped text chunk, fields in its order, its empty extras included. */
const openRouterChunk = (content: string) => ({
	id: 'gen-1764277000-abc',
	provider: 'OpenAI',
	model: 'openai/gpt-4o-mini',
	object: 'chat.completion.chunk',
	created: 1764277000,
	choices: [{ index: 0, delta: { role: 'assistant', content, reasoning: null, reasoning_details: [] }, finish_reason: null, native_finish_reason: null, logprobs: null }]
});

const learn = (value: object) => {
	const data = JSON.stringify(value);
	return ChunkTemplate.learn(data, JSON.parse(data) as ChatCompletionChunk);
};

/** What the orchestrator reads from a chunk: model, text, finish, usage and whether it has extras. */
function meaning(chunk: ChatCompletionChunk & { usage?: unknown }) {
	const choice = chunk.choices[0];
	return {
		id: chunk.id,
		model: chunk.model,
		choices: chunk.choices.length,
		content: choice?.delta?.content,
		finish: choice?.finish_reason ?? null,
		usage: chunk.usage ?? null,
		extra: choice ? (deltaExtraOf(choice) ?? null) : null
	};
}

describe('ChunkTemplate', () => {
	it('reads a text chunk of the same shape as a parse would, without parsing it', () => {
		const template = learn(openRouterChunk('Hello'));
		expect(template).not.toBeNull();
		const data = JSON.stringify(openRouterChunk(' wor"ld\\ ✓ \n\u2028'));
		const read = template?.read(data);
		expect(read).not.toBeNull();
		expect(meaning(read as ChatCompletionChunk)).toEqual(meaning(JSON.parse(data) as ChatCompletionChunk));
	});

	it('has no template for a chunk with more than text, or whose text it cannot place once', () => {
		expect(learn({ ...openRouterChunk(''), choices: [{ index: 0, delta: { role: 'assistant', content: '' }, finish_reason: null }] })).toBeNull();
		expect(learn({ ...openRouterChunk('x'), choices: [{ index: 0, delta: { content: 'x' }, finish_reason: 'stop' }] })).toBeNull();
		expect(learn({ ...openRouterChunk('x'), usage: { prompt_tokens: 1, completion_tokens: 1 } })).toBeNull();
		expect(learn({ ...openRouterChunk('x'), choices: [{ index: 0, delta: { content: 'x', reasoning: 'hm' }, finish_reason: null }] })).toBeNull();
		expect(learn({ ...openRouterChunk('x'), choices: [{ index: 0, delta: { content: 'x' } }, { index: 1, delta: { content: 'y' } }] })).toBeNull();
		// The text also appears as another field's "content": ambiguous, so no template.
		expect(learn({ note: { content: 'same' }, choices: [{ index: 0, delta: { content: 'same' }, finish_reason: null }] })).toBeNull();
		// Spaces after colons: the text is not found as the template writes it; parsed whole, still right.
		const spaced = '{"id":"a","choices":[{"index":0,"delta":{"content": "x"},"finish_reason":null}]}';
		expect(ChunkTemplate.learn(spaced, JSON.parse(spaced) as ChatCompletionChunk)).toBeNull();
	});

	it('leaves a finish, usage, a tool call or another id to the parser', () => {
		const template = learn(openRouterChunk('Hello')) as ChunkTemplate;
		const finish = { ...openRouterChunk('x'), choices: [{ ...openRouterChunk('x').choices[0], finish_reason: 'stop' }] };
		expect(template.read(JSON.stringify(finish))).toBeNull();
		expect(template.read(JSON.stringify({ ...openRouterChunk('x'), usage: { cost: 1 } }))).toBeNull();
		expect(template.read(JSON.stringify({ ...openRouterChunk('x'), id: 'gen-2' }))).toBeNull();
		const tool = { ...openRouterChunk(''), choices: [{ index: 0, delta: { tool_calls: [{ index: 0, function: { arguments: '{}' } }] }, finish_reason: null }] };
		expect(template.read(JSON.stringify(tool))).toBeNull();
	});

	it('takes nothing but one JSON string literal in the slot', () => {
		const template = learn(openRouterChunk('Hello')) as ChunkTemplate;
		const [before, after] = [template.before, template.after];
		for (const slot of ['"a","role":"user"', '"a"},"x":{"content":"b"', '"a" ', '"a\nb"', '"a\\"', '"\\u12"', '""', 'null', '1', '"a"+"b"']) {
			expect(template.read(`${before}${slot}${after}`), slot).toBeNull();
		}
	});

	it('never disagrees with JSON.parse: any text, any edit to the bytes', () => {
		const template = learn(openRouterChunk('Hello')) as ChunkTemplate;
		let read = 0;
		fc.assert(
			fc.property(fc.string({ unit: 'binary', maxLength: 40 }), fc.nat(), fc.string({ maxLength: 3 }), fc.boolean(), (content, cut, insert, edit) => {
				let data = JSON.stringify(openRouterChunk(content));
				if (edit) {
					const at = cut % (data.length + 1);
					data = data.slice(0, at) + insert + data.slice(at + (cut % 3));
				}
				const chunk = template.read(data);
				if (chunk === null) return;
				read++;
				// What the template read must be exactly what a parse reads.
				expect(meaning(chunk)).toEqual(meaning(JSON.parse(data) as ChatCompletionChunk));
			}),
			{ numRuns: 5_000, seed: 20261127 }
		);
		// The unedited chunks with text (about half the runs) are read from the template.
		expect(read).toBeGreaterThan(2_000);
	});
});
