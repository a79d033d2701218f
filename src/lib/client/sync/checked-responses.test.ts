import { describe, expect, it } from 'vitest';
import { checkedPull, checkedPush } from './checked-responses';
import { SyncProtocolError } from './errors';

const page = {
	cursor: 7,
	more: false,
	lastMutationId: 2,
	conversations: [],
	messages: [
		{ id: 'm1', conversationId: 'c1', parentId: null, role: 'user', content: 'hi', status: 'complete', model: null, generationId: null, createdAt: 1, deletedAt: null, version: 7 }
	],
	generations: [],
	rejections: []
};

describe('server answers are checked before they reach the store', () => {
	it('passes a valid pull page through, dropping fields this version does not know', () => {
		const result = checkedPull({ ...page, fromANewerServer: true });
		expect(result.messages[0]?.content).toBe('hi');
		expect(result).not.toHaveProperty('fromANewerServer');
	});

	it('refuses a pull page with a row the store cannot hold, naming where', () => {
		const bad = { ...page, messages: [{ ...page.messages[0], role: 'wizard' }] };
		expect(() => checkedPull(bad)).toThrow(SyncProtocolError);
		expect(() => checkedPull(bad)).toThrow(/pull page .* at messages\.0\.role/);
	});

	it('refuses a push answer without lastMutationId', () => {
		expect(() => checkedPush({ rejected: [] })).toThrow(/push answer .* at lastMutationId/);
		expect(checkedPush({ lastMutationId: 3, rejected: [{ id: 3, reason: 'no' }] }).lastMutationId).toBe(3);
	});
});
