import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../helpers/app';
import { id, merge, signUp } from '../helpers/sync-client';

describe('sync: imported conversations', () => {
	let app: TestApp;

	beforeAll(async () => {
		app = await startTestApp();
	});
	afterAll(() => app.stop());

	const importConversation = (conv: string, title = 'Imported') => ({
		name: 'conversation.import' as const,
		args: { id: conv, title, model: 'openai/gpt-4o', createdAt: 1_700_000_000_000, updatedAt: 1_700_000_100_000 }
	});
	const importMessages = (conversationId: string, messages: Array<{ id: string; parentId: string | null; role: 'user' | 'assistant' | 'system'; content: string }>) => ({
		name: 'message.import' as const,
		args: { conversationId, messages: messages.map((x, i) => ({ ...x, model: x.role === 'assistant' ? 'openai/gpt-4o' : null, createdAt: 1_700_000_000_000 + i })) }
	});

	it('imports a conversation with its branches, keeps timestamps and roles, and a second import of the same file creates nothing', async () => {
		const ada = await signUp(app);
		const [conv, q, a1, a2] = [id('conv'), id('msg'), id('msg'), id('msg')];
		const batch = [
			importConversation(conv, 'From ChatGPT'),
			importMessages(conv, [
				{ id: q, parentId: null, role: 'user', content: 'Question' },
				{ id: a1, parentId: q, role: 'assistant', content: 'First answer' },
				{ id: a2, parentId: q, role: 'assistant', content: 'Regenerated answer' }
			]),
			{ name: 'conversation.setActiveLeaf' as const, args: { id: conv, leafId: a2 } }
		];
		expect(await ada.push(...batch)).toMatchObject({ rejected: [] });
		const first = merge(await ada.pullAll(0));
		expect(first.conversations).toHaveLength(1);
		expect(first.conversations[0]).toMatchObject({ id: conv, title: 'From ChatGPT', createdAt: 1_700_000_000_000, activeLeafId: a2 });
		expect(first.messages.map((x) => [x.role, x.content, x.status])).toEqual([
			['user', 'Question', 'complete'],
			['assistant', 'First answer', 'complete'],
			['assistant', 'Regenerated answer', 'complete']
		]);

		// The same file again, from another device: every id exists, nothing is added or changed.
		const again = await ada.sibling().push(...batch);
		expect(again.rejected).toEqual([]);
		const second = merge(await ada.pullAll(0));
		expect(second.conversations).toHaveLength(1);
		expect(second.messages).toHaveLength(3);
		expect(second.messages.map((x) => x.version)).toEqual(first.messages.map((x) => x.version));
	});

	it('refuses a batch whose message answers one outside the import, and imports nothing of it', async () => {
		const ada = await signUp(app);
		const conv = id('conv');
		const result = await ada.push(
			importConversation(conv),
			importMessages(conv, [
				{ id: id('msg'), parentId: null, role: 'user', content: 'Fine' },
				{ id: id('msg'), parentId: id('missing'), role: 'assistant', content: 'Orphan' }
			])
		);
		expect(result.rejected).toEqual([{ id: 2, reason: 'An imported message answers a message that is not in the import. Nothing was imported from this batch.' }]);
		expect(merge(await ada.pullAll(0)).messages).toEqual([]);
	});

	it('another user cannot import into someone else’s conversation or reuse their message ids', async () => {
		const ada = await signUp(app);
		const eve = await signUp(app);
		const [conv, msg] = [id('conv'), id('msg')];
		await ada.push(importConversation(conv), importMessages(conv, [{ id: msg, parentId: null, role: 'user', content: 'Mine' }]));
		const intoAda = await eve.push(importMessages(conv, [{ id: id('msg'), parentId: null, role: 'user', content: 'Injected' }]));
		expect(intoAda.rejected).toHaveLength(1);
		const evesConv = id('conv');
		const reuse = await eve.push(importConversation(evesConv), importMessages(evesConv, [{ id: msg, parentId: null, role: 'user', content: 'Stolen id' }]));
		expect(reuse.rejected).toEqual([{ id: 3, reason: 'A message id in this import is taken. Nothing was imported from this batch.' }]);
		expect(merge(await ada.pullAll(0)).messages.map((x) => x.content)).toEqual(['Mine']);
	});
});
