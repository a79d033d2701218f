import 'fake-indexeddb/auto';
import { afterEach, describe, expect, it } from 'vitest';
import type { UserStore } from '../store/db';
import { enqueue } from '../store/mutate';
import { readConversation, readConversationList } from '../store/queries';
import { conversationRow, messageRow, openTestStore } from '../store/test-support';
import { deriveId, messageKey } from './derive-id';
import { exportAllJson } from './export-json';
import { chatGptExportText, KEY_ANSWER, SORTED_ANSWER } from './fixtures/chatgpt-export';
import { exportConversationMarkdown } from './markdown';
import { parseImportFile } from './parse';
import { PhosphorExport } from './phosphor-format';
import { planImport } from './plan';
import { readExistingConversationIds, runImport, type ImportProgress } from './run';

const MODEL = 'openai/gpt-4o-mini';
const stores: UserStore[] = [];
async function open(userId: string) {
	const store = await openTestStore(userId);
	stores.push(store);
	return store;
}
afterEach(() => {
	for (const store of stores.splice(0)) store.close();
});

async function importText(store: UserStore, text: string, onProgress?: (p: ImportProgress) => void) {
	const plan = await planImport(parseImportFile(text), { userId: store.userId, existing: await readExistingConversationIds(store.db), defaultModel: MODEL });
	return { plan, result: await runImport(store, plan, onProgress) };
}

/** Ada's store: pulled rows and queued changes, branches, settings, and things an export leaves out. */
async function adaStore(): Promise<UserStore> {
	const store = await open('ada-export');
	await store.db.conversations.bulkPut([
		conversationRow({
			id: 'c1',
			title: 'Trip plan',
			model: 'anthropic/claude-sonnet-4',
			systemPrompt: 'Be terse.',
			fallbackModels: ['openai/gpt-4o'],
			temperature: 0.7,
			maxTokens: 2_000,
			activeLeafId: 'm4',
			createdAt: 1_000,
			updatedAt: 5_000
		}),
		conversationRow({ id: 'c2', title: 'Archived one', archived: true, createdAt: 2_000, updatedAt: 3_000 }),
		conversationRow({ id: 'gone-queued', title: 'Deleted, queued', updatedAt: 4_000 }),
		conversationRow({ id: 'gone', title: 'Deleted', deletedAt: 6_000 })
	]);
	await store.db.messages.bulkPut([
		messageRow({ id: 'm1', conversationId: 'c1', content: 'Plan a trip to Lisbon.', createdAt: 1_001 }),
		messageRow({ id: 'm2', conversationId: 'c1', parentId: 'm1', role: 'assistant', content: 'Day 1: Alfama.', model: 'anthropic/claude-sonnet-4', createdAt: 1_002 }),
		messageRow({ id: 'm3', conversationId: 'c1', parentId: 'm2', content: 'Cheaper?', createdAt: 1_003 }),
		messageRow({ id: 'm3b', conversationId: 'c1', parentId: 'm2', content: 'Cheaper, with kids?', createdAt: 1_004 }),
		messageRow({ id: 'm4', conversationId: 'c1', parentId: 'm3b', role: 'assistant', content: '```\nbudget: 300 €\n```', model: 'openai/gpt-4o', createdAt: 1_005 }),
		messageRow({ id: 'dead', conversationId: 'c1', parentId: 'm1', content: 'Deleted', createdAt: 1_006, deletedAt: 1_007 }),
		messageRow({ id: 'n1', conversationId: 'c2', content: 'Old question', createdAt: 2_001 }),
		messageRow({ id: 'x1', conversationId: 'gone-queued', content: 'Bye', createdAt: 4_001 })
	]);
	await enqueue(store, 'conversation.delete', { id: 'gone-queued' });
	await enqueue(store, 'message.create', { id: 'n2', conversationId: 'c2', parentId: 'n1', content: 'A queued follow-up', createdAt: 2_002 });
	await enqueue(store, 'conversation.create', { id: 'c3', model: MODEL, createdAt: 7_000 });
	await enqueue(store, 'message.create', { id: 'p1', conversationId: 'c3', parentId: null, content: 'Only queued so far', createdAt: 7_001 });
	await enqueue(store, 'conversation.pin', { id: 'c3', pinned: true });
	return store;
}

describe('exportAllJson', () => {
	it('exports every live conversation with its whole tree, queued changes applied', async () => {
		const store = await adaStore();
		await enqueue(store, 'generation.request', { id: 'g1', conversationId: 'c2', userMessageId: 'n2', assistantMessageId: 'n3', createdAt: 2_003 });
		const exported = await exportAllJson(store.db, 123);
		expect(PhosphorExport.parse(JSON.parse(JSON.stringify(exported)))).toEqual(exported);
		expect(exported).toMatchObject({ format: 'phosphor-export', version: 1, exportedAt: 123 });
		const byId = new Map(exported.conversations.map((c) => [c.id, c]));
		expect([...byId.keys()].sort()).toEqual(['c1', 'c2', 'c3']);
		const c1 = byId.get('c1');
		expect(c1).toMatchObject({ title: 'Trip plan', systemPrompt: 'Be terse.', fallbackModels: ['openai/gpt-4o'], temperature: 0.7, maxTokens: 2_000, activeLeafId: 'm4' });
		// Every branch, not only the shown one; deleted messages left out.
		expect(c1?.messages.map((m) => [m.id, m.parentId])).toEqual([
			['m1', null],
			['m2', 'm1'],
			['m3', 'm2'],
			['m3b', 'm2'],
			['m4', 'm3b']
		]);
		expect(byId.get('c2')?.messages.map((m) => [m.id, m.status, m.content])).toEqual([
			['n1', 'complete', 'Old question'],
			['n2', 'complete', 'A queued follow-up'],
			['n3', 'streaming', '']
		]);
		expect(byId.get('c2')).toMatchObject({ archived: true, activeLeafId: 'n3' });
		expect(byId.get('c3')).toMatchObject({ pinned: true, activeLeafId: 'p1', messages: [{ id: 'p1', content: 'Only queued so far' }] });
	});
});

describe('import into the store', () => {
	it('queues a ChatGPT export and shows it as the UI will, with the branch that was shown', async () => {
		const store = await open('ada-chatgpt');
		const progress: ImportProgress[] = [];
		const { plan, result } = await importText(store, chatGptExportText, (p) => progress.push(p));
		expect(result).toEqual({ conversations: 3, messages: 13, mutations: plan.mutations.length, skipped: 0 });
		expect(progress).toEqual([{ conversationsDone: 3, conversations: 3, messagesDone: 13, messages: 13 }]);
		expect(await store.db.outbox.count()).toBe(plan.mutations.length);

		const list = await readConversationList(store.db);
		expect(list.map((c) => [c.title, c.archived, c.model])).toEqual(
			expect.arrayContaining([
				['Sorting in Python', false, MODEL],
				['Plot my CSV', false, MODEL],
				["What's the weather in Paris tomorrow?", true, MODEL]
			])
		);
		const a = plan.conversations.find((c) => c.sourceId === 'conv-a');
		const detail = await readConversation(store.db, a?.id ?? '');
		const id = (node: string) => deriveId('ada-chatgpt', 'chatgpt', messageKey('conv-a', node));
		expect(detail?.branch.map((s) => s.message.id)).toEqual(await Promise.all(['a-u1', 'a-a1', 'a-u2', 'a-a2'].map(id)));
		expect(detail?.branch.map((s) => [s.siblingIds.length, s.index])).toEqual([
			[1, 0],
			[3, 0],
			[2, 0],
			[1, 0]
		]);
		expect(detail?.messages).toHaveLength(8);
		expect(detail?.messages.every((m) => m.status === 'complete' && m.queued)).toBe(true);

		// The Markdown of what is shown: the branch current_node named, not the newest one.
		if (!detail) throw new Error('no conversation');
		expect(exportConversationMarkdown(detail)).toBe(
			[
				'# Sorting in Python',
				'## You',
				'How do I sort a list in Python?',
				'## Assistant (gpt-4o)',
				SORTED_ANSWER,
				'## You',
				'What about sorting by a key?',
				'## Assistant (gpt-4o)',
				`${KEY_ANSWER}\n`
			].join('\n\n')
		);
	});

	it('imports the same file a second time as nothing: the plan and a stale plan both queue nothing', async () => {
		const store = await open('ada-twice');
		const first = await importText(store, chatGptExportText);
		const queued = await store.db.outbox.count();
		const second = await importText(store, chatGptExportText);
		expect(second.plan.summary).toMatchObject({ conversations: 0, messages: 0, skipped: 3 });
		expect(second.result).toEqual({ conversations: 0, messages: 0, mutations: 0, skipped: 0 });
		// The first plan, run again (a double click, another tab): every conversation is there already.
		expect(await runImport(store, first.plan)).toEqual({ conversations: 0, messages: 0, mutations: 0, skipped: 3 });
		expect(await store.db.outbox.count()).toBe(queued);
	});

	it('queues a conversation whole or not at all', async () => {
		const store = await open('dave');
		const { plan } = await importText(store, chatGptExportText);
		const other = await open('dave-2');
		const broken = structuredClone(plan);
		const target = broken.conversations[1];
		if (target === undefined) throw new Error('no conversation');
		// A batch the schema refuses, after the conversation's first mutation: enqueue throws.
		target.mutations.splice(1, 0, { name: 'message.import', args: { conversationId: target.id, messages: [] } });
		await expect(runImport(other, broken)).rejects.toThrow();
		// Nothing of it was queued, nor of the conversations sharing its transaction.
		const queued = await other.db.outbox.toArray();
		expect(queued.map((e) => e.args).filter((a) => 'id' in a && a.id === target.id)).toEqual([]);
		const imported = queued.filter((e) => e.name === 'conversation.import').length;
		expect(queued.filter((e) => e.name === 'conversation.setActiveLeaf')).toHaveLength(imported);
		// Run again with the good plan: what is missing follows.
		expect(await runImport(other, plan)).toMatchObject({ conversations: 3 - imported, skipped: imported });
		expect(await other.db.outbox.count()).toBe(plan.mutations.length);
	});

	it('round-trips an export into another user’s fresh store as an equal tree', async () => {
		const ada = await adaStore();
		const exported = await exportAllJson(ada.db);
		const bob = await open('bob');
		const { plan, result } = await importText(bob, JSON.stringify(exported));
		expect(plan.summary).toEqual({ source: 'phosphor', conversations: 3, messages: 8, skipped: 0, warnings: [] });
		expect(result.conversations).toBe(3);

		const conversationId = (id: string) => deriveId('bob', 'phosphor', id);
		const messageId = (c: string, id: string | null) => (id === null ? null : deriveId('bob', 'phosphor', messageKey(c, id)));
		const expected = await Promise.all(
			exported.conversations.map(async ({ updatedAt: _updatedAt, ...c }) => ({
				...c,
				id: await conversationId(c.id),
				activeLeafId: await messageId(c.id, c.activeLeafId),
				messages: await Promise.all(c.messages.map(async (m) => ({ ...m, id: await messageId(c.id, m.id), parentId: await messageId(c.id, m.parentId) })))
			}))
		);
		const reimported = (await exportAllJson(bob.db)).conversations.map(({ updatedAt: _updatedAt, ...c }) => c);
		const byId = <T extends { id: string }>(list: T[]) => [...list].sort((a, b) => (a.id < b.id ? -1 : 1));
		expect(byId(reimported)).toEqual(byId(expected));
	});

	it('leaves out the conversations of an export of this same account', async () => {
		const ada = await adaStore();
		const { plan, result } = await importText(ada, JSON.stringify(await exportAllJson(ada.db)));
		expect(plan.summary).toMatchObject({ conversations: 0, skipped: 3 });
		expect(result.mutations).toBe(0);
	});

	it('imports what a reply had written before it failed or stopped, and leaves out empty ones', async () => {
		const exported = {
			format: 'phosphor-export',
			version: 1,
			exportedAt: 1,
			conversations: [
				{
					id: 'c',
					model: MODEL,
					createdAt: 1,
					updatedAt: 9,
					activeLeafId: 'empty',
					messages: [
						{ id: 'q', parentId: null, role: 'user', content: 'Question', createdAt: 1 },
						{ id: 'stopped', parentId: 'q', role: 'assistant', content: 'Half an ans', status: 'cancelled', model: MODEL, createdAt: 2 },
						{ id: 'empty', parentId: 'q', role: 'assistant', content: '', status: 'failed', model: MODEL, createdAt: 3 }
					]
				}
			]
		};
		const store = await open('carol');
		const { plan } = await importText(store, JSON.stringify(exported));
		const detail = await readConversation(store.db, plan.conversations[0]?.id ?? '');
		expect(detail?.messages.map((m) => [m.content, m.status])).toEqual([
			['Question', 'complete'],
			['Half an ans', 'complete']
		]);
		// The shown leaf was the empty reply: its parent is shown instead.
		expect(detail?.conversation.activeLeafId).toBe(await deriveId('carol', 'phosphor', messageKey('c', 'q')));
		expect(detail?.conversation.title).toBe('Question');
	});
});
