import { describe, expect, it } from 'vitest';
import { PULL_PAGE_ROWS, type MutationInput, type MutationName, type PullResponse } from '../../domain/sync';
import { SyncNetworkError, SyncUnauthorizedError } from './errors';
import { MemorySyncServer } from './memory-sync-server';

const MODEL = 'openai/gpt-4o-mini';
const mut = <N extends MutationName>(id: number, name: N, args: MutationInput<N>) => ({ id, name, args });
const create = (id: number, conv: string) => mut(id, 'conversation.create', { id: conv, model: MODEL, createdAt: 1 });
const say = (id: number, msg: string, conv: string, parentId: string | null, content = 'Hello') =>
	mut(id, 'message.create', { id: msg, conversationId: conv, parentId, content, createdAt: 2 });

function setup() {
	const server = new MemorySyncServer(() => 1_000);
	return { server, push: (mutations: ReturnType<typeof mut>[], clientId = 'k1', user = 'ada') => server.push(user, { clientId, mutations }) };
}

describe('MemorySyncServer push', () => {
	it('applies in order, skips duplicates and stops at a gap', () => {
		const { server, push } = setup();
		expect(push([create(1, 'c1'), mut(2, 'conversation.rename', { id: 'c1', title: 'One' })])).toEqual({ lastMutationId: 2, rejected: [] });
		expect(push([mut(2, 'conversation.rename', { id: 'c1', title: 'Dup' }), mut(4, 'conversation.rename', { id: 'c1', title: 'Gap' })])).toEqual({
			lastMutationId: 2,
			rejected: []
		});
		expect(server.rows('ada').conversations[0]?.title).toBe('One');
		expect(push([mut(3, 'conversation.pin', { id: 'c1', pinned: true }), mut(4, 'conversation.rename', { id: 'c1', title: 'Four' })]).lastMutationId).toBe(4);
		expect(server.rows('ada').conversations[0]).toMatchObject({ title: 'Four', pinned: true });
	});

	it('rejects with the server’s reasons, records the rejection and still advances', () => {
		const { server, push } = setup();
		const response = server.push('ada', {
			clientId: 'k1',
			mutations: [
				create(1, 'c1'),
				{ id: 2, name: 'conversation.rename', args: { id: 'c1', title: '   ' } },
				{ id: 3, name: 'conversation.explode', args: {} },
				mut(4, 'conversation.rename', { id: 'missing', title: 'Ghost' })
			]
		});
		expect(response).toEqual({
			lastMutationId: 4,
			rejected: [
				{ id: 2, reason: 'Invalid conversation.rename — title: A title cannot be empty.' },
				{ id: 3, reason: '"conversation.explode" is not a change this server knows. Update the app.' },
				{ id: 4, reason: 'That conversation does not exist, or was deleted.' }
			]
		});
		expect(server.rows('ada').rejections.map((r) => [r.mutationId, r.name])).toEqual([
			[2, 'conversation.rename'],
			[3, 'conversation.explode'],
			[4, 'conversation.rename']
		]);
		expect(push([create(5, 'c2')]).lastMutationId).toBe(5);
	});

	it('titles a conversation by its first message and moves the active leaf to messages and replies', () => {
		const { server, push } = setup();
		push([
			create(1, 'c1'),
			say(2, 'm1', 'c1', null, '\n Plan the trip \nwith details'),
			say(3, 'm2', 'c1', 'm1', 'Second'),
			mut(4, 'generation.request', { id: 'g1', conversationId: 'c1', userMessageId: 'm2', assistantMessageId: 'a1', createdAt: 3 })
		]);
		const rows = server.rows('ada');
		expect(rows.conversations[0]).toMatchObject({ title: 'Plan the trip', activeLeafId: 'a1' });
		expect(rows.messages.find((m) => m.id === 'a1')).toMatchObject({ role: 'assistant', status: 'streaming', parentId: 'm2', generationId: 'g1', model: MODEL });
		expect(rows.generations[0]).toMatchObject({ state: 'requested', models: [MODEL] });
	});

	it('deletes a message with the replies below it, stops them, and moves the active leaf up', () => {
		const { server, push } = setup();
		push([
			create(1, 'c1'),
			say(2, 'm1', 'c1', null),
			say(3, 'm2', 'c1', 'm1'),
			mut(4, 'generation.request', { id: 'g1', conversationId: 'c1', userMessageId: 'm2', assistantMessageId: 'a1', createdAt: 3 }),
			mut(5, 'message.delete', { id: 'm2' })
		]);
		const rows = server.rows('ada');
		expect(rows.messages.map((m) => [m.id, m.deletedAt, m.content])).toEqual([
			['m1', null, 'Hello'],
			['m2', 1_000, ''],
			['a1', 1_000, '']
		]);
		expect(rows.generations[0]?.state).toBe('cancelled');
		expect(rows.conversations[0]?.activeLeafId).toBe('m1');
	});

	it('sets only the parameters named', () => {
		const { server, push } = setup();
		push([create(1, 'c1'), mut(2, 'conversation.setParameters', { id: 'c1', temperature: 0.3, maxTokens: 50 }), mut(3, 'conversation.setParameters', { id: 'c1', maxTokens: null })]);
		expect(server.rows('ada').conversations[0]).toMatchObject({ temperature: 0.3, maxTokens: null });
	});

	it('lets a delete win: later edits are acknowledged and change nothing; messages are removed', () => {
		const { server, push } = setup();
		push([create(1, 'c1'), say(2, 'm1', 'c1', null), mut(3, 'conversation.delete', { id: 'c1' })]);
		expect(push([mut(1, 'conversation.rename', { id: 'c1', title: 'Back?' }), say(2, 'm2', 'c1', null)], 'k2')).toEqual({ lastMutationId: 2, rejected: [] });
		const rows = server.rows('ada');
		expect(rows.conversations[0]).toMatchObject({ title: '', deletedAt: 1_000, activeLeafId: null });
		expect(rows.messages).toEqual([]);
	});

	it("treats another user's rows as missing and refuses another user's client id", () => {
		const { server, push } = setup();
		push([create(1, 'c1')]);
		expect(server.rows('bob').conversations).toEqual([]);
		expect(push([mut(1, 'conversation.rename', { id: 'c1', title: 'Mine now' })], 'k2', 'bob').rejected[0]?.reason).toBe('That conversation does not exist, or was deleted.');
		expect(push([create(2, 'c1')], 'k2', 'bob').rejected[0]?.reason).toBe('That conversation id is taken. The conversation was not created.');
		expect(() => push([create(2, 'c9')], 'k1', 'bob')).toThrow('That client id belongs to another user.');
	});
});

describe('MemorySyncServer pull', () => {
	it('pages rows in version order with `more`, each row once, with the client’s lastMutationId', () => {
		const { server, push } = setup();
		push([create(1, 'c1')]);
		for (let i = 0; i < 6; i++) {
			push(Array.from({ length: 100 }, (_, j) => say(2 + i * 100 + j, `m${i * 100 + j}`, 'c1', null)));
		}
		const pages: PullResponse[] = [];
		let cursor = 0;
		for (let more = true; more; ) {
			const page = server.pull('ada', { cursor, clientId: 'k1' });
			pages.push(page);
			({ cursor, more } = page);
		}
		expect(pages.map((p) => p.messages.length + p.conversations.length)).toEqual([PULL_PAGE_ROWS, 101]);
		expect(pages.every((p) => p.lastMutationId === 601)).toBe(true);
		const versions = pages.flatMap((p) => [...p.conversations, ...p.messages].map((r) => r.version));
		expect(new Set(versions).size).toBe(601); // the conversation changed 601 times: only its last version is sent
		expect(cursor).toBe(server.version);
		expect(server.pull('ada', { cursor })).toMatchObject({ more: false, cursor, messages: [], conversations: [] });
	});
});

describe('MemorySyncConnection faults', () => {
	it('fails offline, unauthorized and on demand without reaching the server', async () => {
		const server = new MemorySyncServer();
		const connection = server.connect('ada');
		connection.offline = true;
		await expect(connection.pull({ cursor: 0 })).rejects.toBeInstanceOf(SyncNetworkError);
		connection.offline = false;
		connection.unauthorized = true;
		await expect(connection.pull({ cursor: 0 })).rejects.toBeInstanceOf(SyncUnauthorizedError);
		connection.unauthorized = false;
		connection.failNext(1);
		await expect(connection.pull({ cursor: 0 })).rejects.toThrow('Internal server error');
		expect(connection.calls).toEqual([]);
		await expect(connection.pull({ cursor: 0 })).resolves.toMatchObject({ more: false });
	});

	it('can apply a push and lose its response', async () => {
		const server = new MemorySyncServer();
		const connection = server.connect('ada');
		connection.dropNextResponses(1);
		await expect(connection.push({ clientId: 'k1', mutations: [create(1, 'c1')] })).rejects.toBeInstanceOf(SyncNetworkError);
		expect(server.lastMutationId('k1')).toBe(1);
		expect(server.rows('ada').conversations).toHaveLength(1);
	});
});
