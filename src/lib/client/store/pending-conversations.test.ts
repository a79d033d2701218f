import { describe, expect, it } from 'vitest';
import { titleFrom } from '../../domain/conversation-title';
import { viewConversation, viewConversations } from './pending-conversations';
import { conversationRow, outboxEntry } from './test-support';

const create = (id: number, conversationId: string, createdAt = 5_000) =>
	outboxEntry(id, 'conversation.create', { id: conversationId, model: 'openai/gpt-4o-mini', createdAt }, createdAt);

describe('viewConversations', () => {
	it('shows server rows as they are, not pending', () => {
		const rows = [conversationRow({ id: 'c1', title: 'Trip' })];
		expect(viewConversations(rows, [])).toEqual([{ ...rows[0], pending: false }]);
	});

	it('shows a queued create as a new untitled conversation', () => {
		const [view] = viewConversations([], [create(1, 'c1')]);
		expect(view).toMatchObject({ id: 'c1', title: '', pinned: false, activeLeafId: null, createdAt: 5_000, updatedAt: 5_000, pending: true, version: 0 });
	});

	it('applies queued field changes in mutation order, whatever the array order', () => {
		const rows = [conversationRow({ id: 'c1', title: 'Old' })];
		const outbox = [
			outboxEntry(3, 'conversation.rename', { id: 'c1', title: 'Third' }),
			outboxEntry(1, 'conversation.rename', { id: 'c1', title: 'First' }),
			outboxEntry(2, 'conversation.pin', { id: 'c1', pinned: true }),
			outboxEntry(4, 'conversation.archive', { id: 'c1', archived: true }),
			outboxEntry(5, 'conversation.setModel', { id: 'c1', model: 'anthropic/claude-sonnet-4' }),
			outboxEntry(6, 'conversation.setSystemPrompt', { id: 'c1', systemPrompt: 'Be brief.' }),
			outboxEntry(7, 'conversation.setFallbackModels', { id: 'c1', models: ['a/b'] }),
			outboxEntry(8, 'conversation.setParameters', { id: 'c1', temperature: 0.2, maxTokens: 500 }),
			outboxEntry(9, 'conversation.setActiveLeaf', { id: 'c1', leafId: 'm9' })
		];
		expect(viewConversations(rows, outbox)[0]).toMatchObject({
			title: 'Third',
			pinned: true,
			archived: true,
			model: 'anthropic/claude-sonnet-4',
			systemPrompt: 'Be brief.',
			fallbackModels: ['a/b'],
			temperature: 0.2,
			maxTokens: 500,
			activeLeafId: 'm9',
			pending: true
		});
	});

	it('changes only the parameters a setParameters names', () => {
		const rows = [conversationRow({ id: 'c1', temperature: 0.7, maxTokens: 100 })];
		const outbox = [outboxEntry(1, 'conversation.setParameters', { id: 'c1', maxTokens: null })];
		expect(viewConversations(rows, outbox)[0]).toMatchObject({ temperature: 0.7, maxTokens: null });
	});

	it('names an untitled conversation after its first message, once', () => {
		const outbox = [
			create(1, 'c1'),
			outboxEntry(2, 'message.create', { id: 'm1', conversationId: 'c1', parentId: null, content: ' Fix my regex \nplease', createdAt: 6_000 }),
			outboxEntry(3, 'message.create', { id: 'm2', conversationId: 'c1', parentId: 'm1', content: 'Another', createdAt: 7_000 })
		];
		expect(viewConversations([], outbox)[0]?.title).toBe('Fix my regex');
	});

	it('cuts a long first line as the server does (domain titleFrom)', () => {
		const long = 'word '.repeat(40).trim();
		const outbox = [create(1, 'c1'), outboxEntry(2, 'message.create', { id: 'm1', conversationId: 'c1', parentId: null, content: long, createdAt: 1 })];
		expect(viewConversations([], outbox)[0]?.title).toBe(titleFrom(long));
	});

	it('keeps a title given by a rename or by the server', () => {
		const message = outboxEntry(2, 'message.create', { id: 'm1', conversationId: 'c1', parentId: null, content: 'Hello', createdAt: 1 });
		expect(viewConversations([conversationRow({ id: 'c1', title: 'Mine' })], [message])[0]?.title).toBe('Mine');
		const renamed = [create(1, 'c1'), outboxEntry(2, 'conversation.rename', { id: 'c1', title: 'Named' }), { ...message, id: 3 }];
		expect(viewConversations([], renamed)[0]?.title).toBe('Named');
	});

	it('moves the active leaf to a queued message, then to its queued reply', () => {
		const rows = [conversationRow({ id: 'c1', activeLeafId: 'm0' })];
		const message = outboxEntry(1, 'message.create', { id: 'm1', conversationId: 'c1', parentId: 'm0', content: 'Hi', createdAt: 1 });
		expect(viewConversations(rows, [message])[0]?.activeLeafId).toBe('m1');
		const reply = outboxEntry(2, 'generation.request', { id: 'g1', conversationId: 'c1', userMessageId: 'm1', assistantMessageId: 'a1', createdAt: 1 });
		expect(viewConversations(rows, [message, reply])[0]?.activeLeafId).toBe('a1');
	});

	it('lets a delete win over everything, before or after other changes', () => {
		const rows = [conversationRow({ id: 'c1' }), conversationRow({ id: 'c2' })];
		const outbox = [
			outboxEntry(1, 'conversation.rename', { id: 'c1', title: 'Before' }),
			outboxEntry(2, 'conversation.delete', { id: 'c1' }),
			outboxEntry(3, 'conversation.rename', { id: 'c1', title: 'After' }),
			outboxEntry(4, 'conversation.pin', { id: 'c1', pinned: true })
		];
		expect(viewConversations(rows, outbox).map((c) => c.id)).toEqual(['c2']);
	});

	it('hides tombstones and never resurrects them', () => {
		const rows = [conversationRow({ id: 'c1', deletedAt: 9 })];
		expect(viewConversations(rows, [create(1, 'c1'), outboxEntry(2, 'conversation.rename', { id: 'c1', title: 'Back' })])).toEqual([]);
	});

	it('lets the pulled row win over a queued create of the same conversation', () => {
		const rows = [conversationRow({ id: 'c1', title: 'From server', version: 7 })];
		expect(viewConversations(rows, [create(1, 'c1')])[0]).toMatchObject({ title: 'From server', version: 7 });
	});

	it('ignores changes to conversations it does not know yet', () => {
		expect(viewConversations([], [outboxEntry(1, 'conversation.rename', { id: 'elsewhere', title: 'X' })])).toEqual([]);
	});

	it('orders by last activity: a queued message counts at its time, a rename or a pin does not move a conversation', () => {
		const rows = [conversationRow({ id: 'old', updatedAt: 100 }), conversationRow({ id: 'new', updatedAt: 200 })];
		expect(viewConversations(rows, []).map((c) => c.id)).toEqual(['new', 'old']);
		const renamed = [outboxEntry(1, 'conversation.rename', { id: 'old', title: 'Touched' }, 300), outboxEntry(2, 'conversation.pin', { id: 'old', pinned: true }, 310)];
		expect(viewConversations(rows, renamed).map((c) => [c.id, c.updatedAt])).toEqual([
			['new', 200],
			['old', 100]
		]);
		const written = [outboxEntry(1, 'message.create', { id: 'm1', conversationId: 'old', parentId: null, content: 'Hi', createdAt: 300 }, 300)];
		expect(viewConversations(rows, written).map((c) => [c.id, c.updatedAt])).toEqual([
			['old', 300],
			['new', 200]
		]);
	});

	it('does not change the rows it is given', () => {
		const rows = [conversationRow({ id: 'c1', title: 'Same' })];
		viewConversations(rows, [outboxEntry(1, 'conversation.rename', { id: 'c1', title: 'Other' })]);
		expect(rows[0]?.title).toBe('Same');
	});
});

describe('viewConversation', () => {
	it('returns one conversation, or null when missing or deleted', () => {
		const rows = [conversationRow({ id: 'c1' }), conversationRow({ id: 'c2' })];
		expect(viewConversation('c2', rows, [])?.id).toBe('c2');
		expect(viewConversation('nope', rows, [])).toBeNull();
		expect(viewConversation('c1', rows, [outboxEntry(1, 'conversation.delete', { id: 'c1' })])).toBeNull();
	});
});
