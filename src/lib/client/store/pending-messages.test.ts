import { describe, expect, it } from 'vitest';
import { viewMessages } from './pending-messages';
import { messageRow, outboxEntry } from './test-support';

const say = (id: number, messageId: string, parentId: string | null, createdAt = 5_000, conversationId = 'c1') =>
	outboxEntry(id, 'message.create', { id: messageId, conversationId, parentId, content: `text of ${messageId}`, createdAt });
const ask = (id: number, generationId: string, userMessageId: string, assistantMessageId: string, createdAt = 5_001) =>
	outboxEntry(id, 'generation.request', { id: generationId, conversationId: 'c1', userMessageId, assistantMessageId, createdAt });
const ids = (views: { id: string }[]) => views.map((m) => m.id);

describe('viewMessages', () => {
	it("shows the conversation's live server messages, oldest first, not queued", () => {
		const rows = [
			messageRow({ id: 'b', conversationId: 'c1', createdAt: 2 }),
			messageRow({ id: 'a', conversationId: 'c1', createdAt: 1 }),
			messageRow({ id: 'gone', conversationId: 'c1', createdAt: 3, deletedAt: 4 }),
			messageRow({ id: 'other', conversationId: 'c2', createdAt: 1 })
		];
		const view = viewMessages('c1', rows, []);
		expect(ids(view)).toEqual(['a', 'b']);
		expect(view.every((m) => !m.queued)).toBe(true);
	});

	it('shows a queued user message as complete and queued', () => {
		const [message] = viewMessages('c1', [], [say(1, 'm1', null)]);
		expect(message).toEqual({
			id: 'm1',
			conversationId: 'c1',
			parentId: null,
			role: 'user',
			content: 'text of m1',
			status: 'complete',
			model: null,
			generationId: null,
			createdAt: 5_000,
			deletedAt: null,
			version: 0,
			queued: true
		});
	});

	it('shows a queued reply request as an empty streaming assistant message under the question', () => {
		const view = viewMessages('c1', [], [say(1, 'm1', null), ask(2, 'g1', 'm1', 'a1')]);
		expect(view[1]).toMatchObject({ id: 'a1', parentId: 'm1', role: 'assistant', content: '', status: 'streaming', generationId: 'g1', queued: true });
	});

	it("gives a queued reply the conversation's model unless it names one, and never an earlier time than its question", () => {
		const question = messageRow({ id: 'q', conversationId: 'c1', createdAt: 9_000 });
		const reply = viewMessages('c1', [question], [ask(1, 'g1', 'q', 'a1', 5_000)], 'openai/gpt-4o').find((m) => m.id === 'a1');
		expect(reply).toMatchObject({ model: 'openai/gpt-4o', createdAt: 9_000 });
		const named = outboxEntry(1, 'generation.request', { id: 'g1', conversationId: 'c1', userMessageId: 'q', assistantMessageId: 'a1', model: 'x/y', createdAt: 9_500 });
		expect(viewMessages('c1', [question], [named], 'openai/gpt-4o')[1]).toMatchObject({ model: 'x/y', createdAt: 9_500 });
	});

	it("lets the server's row replace the placeholder in place", () => {
		const rows = [messageRow({ id: 'a1', conversationId: 'c1', role: 'assistant', content: 'Partial', status: 'streaming', version: 9 })];
		const view = viewMessages('c1', rows, [ask(2, 'g1', 'm1', 'a1')]);
		expect(view).toHaveLength(1);
		expect(view[0]).toMatchObject({ content: 'Partial', queued: false, version: 9 });
	});

	it('ignores queued messages of other conversations', () => {
		expect(viewMessages('c1', [], [say(1, 'x', null, 1, 'c2')])).toEqual([]);
	});

	it('hides a deleted message with its descendants, queued or not', () => {
		const rows = [
			messageRow({ id: 'a', conversationId: 'c1', createdAt: 1 }),
			messageRow({ id: 'b', conversationId: 'c1', parentId: 'a', createdAt: 2 }),
			messageRow({ id: 'c', conversationId: 'c1', parentId: 'b', createdAt: 3 }),
			messageRow({ id: 'b2', conversationId: 'c1', parentId: 'a', createdAt: 4 })
		];
		const outbox = [say(1, 'd', 'c', 10), outboxEntry(2, 'message.delete', { id: 'b' })];
		expect(ids(viewMessages('c1', rows, outbox))).toEqual(['a', 'b2']);
	});

	it('hides a queued message whose parent is already deleted (the server will reject it)', () => {
		const rows = [messageRow({ id: 'a', conversationId: 'c1', deletedAt: 9 })];
		expect(viewMessages('c1', rows, [say(1, 'm1', 'a'), ask(2, 'g1', 'm1', 'a1')])).toEqual([]);
		const queuedDelete = [outboxEntry(1, 'message.delete', { id: 'x' }), say(2, 'm1', 'x')];
		expect(viewMessages('c1', [messageRow({ id: 'x', conversationId: 'c1' })], queuedDelete)).toEqual([]);
	});

	it('shows nothing once the conversation delete is queued', () => {
		const rows = [messageRow({ id: 'a', conversationId: 'c1' })];
		expect(viewMessages('c1', rows, [outboxEntry(1, 'conversation.delete', { id: 'c1' }), say(2, 'm1', 'a')])).toEqual([]);
	});

	it('shows a streaming reply as cancelled once its cancel is queued', () => {
		const rows = [
			messageRow({ id: 'a1', conversationId: 'c1', role: 'assistant', status: 'streaming', generationId: 'g1' }),
			messageRow({ id: 'a0', conversationId: 'c1', role: 'assistant', status: 'complete', generationId: 'g0' })
		];
		const view = viewMessages('c1', rows, [outboxEntry(1, 'generation.cancel', { id: 'g1' }), outboxEntry(2, 'generation.cancel', { id: 'g0' })]);
		expect(view.map((m) => [m.id, m.status])).toEqual([
			['a0', 'complete'],
			['a1', 'cancelled']
		]);
	});

	it('does not loop on a cycle in bad data', () => {
		const rows = [messageRow({ id: 'p', conversationId: 'c1', parentId: 'q' }), messageRow({ id: 'q', conversationId: 'c1', parentId: 'p' })];
		expect(viewMessages('c1', rows, [outboxEntry(1, 'message.delete', { id: 'p' })])).toEqual([]);
	});
});
