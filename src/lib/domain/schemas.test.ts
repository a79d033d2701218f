import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { SendMessageInput } from './chat-input';
import { Conversation } from './conversation';
import { Generation } from './generation';
import { LedgerEntry } from './ledger-entry';
import { Message } from './message';
import { User } from './user';

/** The paths of the fields a parse rejected, e.g. ["username"]. */
function rejected(schema: z.ZodType, value: unknown): string[] {
	const result = schema.safeParse(value);
	if (result.success) return [];
	return [...new Set(result.error.issues.map((issue) => issue.path.join('.')))];
}

const user = { id: 'u1', username: 'ada.l_1-x', isAdmin: false, createdAt: 1 };
const conversation = {
	id: 'c1',
	userId: 'u1',
	title: 'Hello',
	model: 'openai/gpt-4o',
	activeLeafId: null,
	createdAt: 1,
	updatedAt: 2,
	deletedAt: null
};
const message = {
	id: 'm1',
	conversationId: 'c1',
	parentId: null,
	role: 'user',
	content: 'hi',
	status: 'complete',
	model: null,
	generationId: null,
	createdAt: 1
};
const generation = {
	id: 'g1',
	conversationId: 'c1',
	userId: 'u1',
	userMessageId: 'm1',
	assistantMessageId: 'm2',
	model: 'openai/gpt-4o',
	state: 'done',
	failureReason: null,
	upstreamId: 'gen-123',
	tokensIn: 10,
	tokensOut: 20,
	costNanoUsd: 12_345,
	createdAt: 1,
	finishedAt: 2
};
const ledgerEntry = {
	id: 'l1',
	userId: 'u1',
	generationId: 'g1',
	kind: 'correction',
	amountNanoUsd: -500,
	source: 'generation-lookup',
	model: 'openai/gpt-4o',
	createdAt: 1
};

describe('schemas accept valid rows', () => {
	it.each([
		['User', User, user],
		['Conversation', Conversation, conversation],
		['Message', Message, message],
		['Generation', Generation, generation],
		['LedgerEntry', LedgerEntry, ledgerEntry]
	] as const)('%s', (_name, schema, value) => {
		expect(rejected(schema, value)).toEqual([]);
	});

	it('trims usernames and chat content', () => {
		expect(User.parse({ ...user, username: '  ada  ' }).username).toBe('ada');
		expect(SendMessageInput.parse({ content: '  hi \n' })).toEqual({ content: 'hi' });
	});
});

describe('schemas name the field they reject', () => {
	it('User', () => {
		expect(rejected(User, { ...user, username: 'ada lovelace' })).toEqual(['username']);
		expect(rejected(User, { ...user, username: '   ' })).toEqual(['username']);
		expect(rejected(User, { ...user, username: 'x'.repeat(65) })).toEqual(['username']);
		expect(rejected(User, { ...user, username: 'ädа' })).toEqual(['username']);
		expect(rejected(User, { ...user, createdAt: 1.5 })).toEqual(['createdAt']);
	});

	it('Conversation', () => {
		expect(rejected(Conversation, { ...conversation, title: 'x'.repeat(201) })).toEqual(['title']);
		expect(rejected(Conversation, { ...conversation, activeLeafId: '' })).toEqual(['activeLeafId']);
		expect(rejected(Conversation, { ...conversation, deletedAt: undefined })).toEqual(['deletedAt']);
	});

	it('Message', () => {
		expect(rejected(Message, { ...message, role: 'tool' })).toEqual(['role']);
		expect(rejected(Message, { ...message, status: 'done' })).toEqual(['status']);
		expect(rejected(Message, { ...message, content: 'x'.repeat(1_000_001) })).toEqual(['content']);
	});

	it('Generation', () => {
		expect(rejected(Generation, { ...generation, state: 'paused' })).toEqual(['state']);
		expect(rejected(Generation, { ...generation, tokensOut: -1 })).toEqual(['tokensOut']);
		expect(rejected(Generation, { ...generation, costNanoUsd: 0.5 })).toEqual(['costNanoUsd']);
		expect(rejected(Generation, { ...generation, costNanoUsd: 2 ** 53 })).toEqual(['costNanoUsd']);
	});

	it('LedgerEntry', () => {
		expect(rejected(LedgerEntry, { ...ledgerEntry, kind: 'refund' })).toEqual(['kind']);
		expect(rejected(LedgerEntry, { ...ledgerEntry, source: 'guess' })).toEqual(['source']);
		expect(rejected(LedgerEntry, { ...ledgerEntry, amountNanoUsd: '5' })).toEqual(['amountNanoUsd']);
	});

	it('SendMessageInput', () => {
		expect(rejected(SendMessageInput, { content: '  ' })).toEqual(['content']);
		expect(rejected(SendMessageInput, { content: 'x'.repeat(100_001) })).toEqual(['content']);
		expect(rejected(SendMessageInput, { content: 'hi', model: '' })).toEqual(['model']);
		expect(rejected(SendMessageInput, { content: 'hi', model: 'x'.repeat(201) })).toEqual(['model']);
	});
});
