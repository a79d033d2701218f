import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { SendMessageInput } from './chat-input';
import { Username } from './credentials';
import { ConversationRow, GenerationRow, MessageRow, MUTATION_ARGS, PushRequest } from './sync';

/** The paths of the fields a parse rejected, e.g. ["username"]. */
function rejected(schema: z.ZodType, value: unknown): string[] {
	const result = schema.safeParse(value);
	if (result.success) return [];
	return [...new Set(result.error.issues.map((issue) => issue.path.join('.')))];
}

const conversation = {
	id: 'c1',
	title: 'Hello',
	model: 'openai/gpt-4o',
	systemPrompt: '',
	fallbackModels: [],
	temperature: null,
	maxTokens: null,
	pinned: false,
	archived: false,
	activeLeafId: null,
	createdAt: 1,
	updatedAt: 2,
	deletedAt: null,
	version: 3
};
const message = { id: 'm1', conversationId: 'c1', parentId: null, role: 'user', content: 'hi', status: 'complete', model: null, generationId: null, createdAt: 1, deletedAt: null, version: 4 };
const generation = {
	id: 'g1',
	conversationId: 'c1',
	userMessageId: 'm1',
	assistantMessageId: 'm2',
	models: ['openai/gpt-4o'],
	model: 'openai/gpt-4o',
	state: 'done',
	failureReason: null,
	tokensIn: 10,
	tokensOut: 20,
	costNanoUsd: 12_345,
	costSource: 'provider',
	createdAt: 1,
	startedAt: 1,
	firstTokenAt: 2,
	finishedAt: 3,
	version: 5
};

describe('synced rows', () => {
	it.each([
		['ConversationRow', ConversationRow, conversation],
		['MessageRow', MessageRow, message],
		['GenerationRow', GenerationRow, generation]
	] as const)('%s accepts a valid row', (_name, schema, value) => {
		expect(rejected(schema, value)).toEqual([]);
	});

	it('name the field they reject', () => {
		expect(rejected(ConversationRow, { ...conversation, title: 'x'.repeat(201) })).toEqual(['title']);
		expect(rejected(ConversationRow, { ...conversation, temperature: 3 })).toEqual(['temperature']);
		expect(rejected(ConversationRow, { ...conversation, deletedAt: undefined })).toEqual(['deletedAt']);
		expect(rejected(MessageRow, { ...message, role: 'tool' })).toEqual(['role']);
		expect(rejected(MessageRow, { ...message, status: 'done' })).toEqual(['status']);
		expect(rejected(GenerationRow, { ...generation, state: 'paused' })).toEqual(['state']);
		expect(rejected(GenerationRow, { ...generation, tokensOut: -1 })).toEqual(['tokensOut']);
		expect(rejected(GenerationRow, { ...generation, costNanoUsd: 0.5 })).toEqual(['costNanoUsd']);
		expect(rejected(GenerationRow, { ...generation, version: -1 })).toEqual(['version']);
	});
});

describe('mutation arguments', () => {
	it('fill defaults and trim', () => {
		expect(MUTATION_ARGS['conversation.create'].parse({ id: 'c1', model: 'm', createdAt: 1 })).toEqual({
			id: 'c1',
			model: 'm',
			title: '',
			systemPrompt: '',
			fallbackModels: [],
			createdAt: 1
		});
		expect(MUTATION_ARGS['conversation.rename'].parse({ id: 'c1', title: '  Trip  ' }).title).toBe('Trip');
	});

	it('name the field they reject, with a message for a person', () => {
		const blank = MUTATION_ARGS['message.create'].safeParse({ id: 'm', conversationId: 'c', parentId: null, content: '   ', createdAt: 1 });
		expect(blank.error?.issues[0]).toMatchObject({ path: ['content'], message: 'Write a message first.' });
		expect(rejected(MUTATION_ARGS['conversation.rename'], { id: 'c', title: '' })).toEqual(['title']);
		expect(rejected(MUTATION_ARGS['conversation.setFallbackModels'], { id: 'c', models: ['a', 'b', 'c', 'd', 'e', 'f'] })).toEqual(['models']);
		expect(rejected(MUTATION_ARGS['conversation.setParameters'], { id: 'c', temperature: -1, maxTokens: 0 })).toEqual(['temperature', 'maxTokens']);
		expect(rejected(MUTATION_ARGS['generation.request'], { id: 'g', conversationId: 'c', userMessageId: 'm', createdAt: 1 })).toEqual(['assistantMessageId']);
	});

	it('a push envelope holds at most 100 mutations with positive integer ids', () => {
		const mutations = (n: number) => Array.from({ length: n }, (_, i) => ({ id: i + 1, name: 'conversation.delete', args: { id: 'c' } }));
		expect(rejected(PushRequest, { clientId: 'x', mutations: mutations(100) })).toEqual([]);
		expect(rejected(PushRequest, { clientId: 'x', mutations: mutations(101) })).toEqual(['mutations']);
		expect(rejected(PushRequest, { clientId: 'x', mutations: [{ id: 0, name: 'a', args: null }] })).toEqual(['mutations.0.id']);
	});
});

describe('credentials and chat input', () => {
	it('usernames: letters, digits, dot, underscore and dash, trimmed, at most 64', () => {
		expect(Username.parse('  ada  ')).toBe('ada');
		for (const bad of ['ada lovelace', '   ', 'x'.repeat(65), 'ädа']) expect(Username.safeParse(bad).success).toBe(false);
	});

	it('SendMessageInput trims and names the field it rejects', () => {
		expect(SendMessageInput.parse({ content: '  hi \n' })).toEqual({ content: 'hi' });
		expect(rejected(SendMessageInput, { content: '  ' })).toEqual(['content']);
		expect(rejected(SendMessageInput, { content: 'x'.repeat(100_001) })).toEqual(['content']);
		expect(rejected(SendMessageInput, { content: 'hi', model: '' })).toEqual(['model']);
	});
});
