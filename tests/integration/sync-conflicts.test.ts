import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AUTO_TITLE_MAX, titleFrom } from '../../src/lib/domain/conversation-title';
import type { ConversationRow } from '../../src/lib/domain/sync';
import { startTestApp, type TestApp } from '../helpers/app';
import { id, m, merge, signUp, type SyncClient } from '../helpers/sync-client';

describe('sync: concurrent edits, titles and branches', () => {
	let app: TestApp;

	beforeAll(async () => {
		app = await startTestApp();
	});
	afterAll(() => app.stop());

	/** The conversation as a freshly synced device sees it. */
	const seen = async (client: SyncClient, convId: string): Promise<ConversationRow | undefined> =>
		merge(await client.sibling().pullAll(0)).conversations.find((c) => c.id === convId);

	describe('last writer wins, per field, in the order the server applies pushes', () => {
		it('two devices rename and pin the same conversation: the later push wins each field it sets, other fields keep both', async () => {
			const laptop = await signUp(app);
			const phone = laptop.sibling();
			const conv = id('conv');
			await laptop.push(m.createConversation(conv));
			await phone.sync();
			// Both edit offline; the phone's changes reach the server last.
			await laptop.push(m.rename(conv, 'Laptop title'), m.pin(conv, true));
			await phone.push(m.rename(conv, 'Phone title'), { name: 'conversation.archive', args: { id: conv, archived: true } });
			expect(await seen(laptop, conv)).toMatchObject({ title: 'Phone title', pinned: true, archived: true });

			// Later still, the laptop unpins: only `pinned` changes.
			await laptop.push(m.pin(conv, false));
			expect(await seen(laptop, conv)).toMatchObject({ title: 'Phone title', pinned: false, archived: true });
		});

		it('temperature and max tokens are separate fields: one device sets each, both changes stay', async () => {
			const laptop = await signUp(app);
			const phone = laptop.sibling();
			const conv = id('conv');
			await laptop.push(m.createConversation(conv));
			await laptop.push({ name: 'conversation.setParameters', args: { id: conv, temperature: 0.3 } });
			await phone.push({ name: 'conversation.setParameters', args: { id: conv, maxTokens: 500 } });
			expect(await seen(laptop, conv)).toMatchObject({ temperature: 0.3, maxTokens: 500 });
			await phone.push({ name: 'conversation.setParameters', args: { id: conv, temperature: null } });
			expect(await seen(laptop, conv)).toMatchObject({ temperature: null, maxTokens: 500 });
		});

		it('server order, not the order the edits were made: an older offline edit pushed last wins', async () => {
			const laptop = await signUp(app);
			const phone = laptop.sibling();
			const conv = id('conv');
			await laptop.push(m.createConversation(conv));
			const offlineRename = m.rename(conv, 'Written first, pushed last');
			await phone.push(m.rename(conv, 'Written last, pushed first'));
			await laptop.push(offlineRename);
			expect((await seen(laptop, conv))?.title).toBe('Written first, pushed last');
		});

		it('a delete wins over a later rename from another device: the rename is acknowledged and the conversation stays deleted', async () => {
			const laptop = await signUp(app);
			const phone = laptop.sibling();
			const conv = id('conv');
			await laptop.push(m.createConversation(conv, { title: 'Doomed' }));
			await laptop.push(m.remove(conv));
			const rename = await phone.push(m.rename(conv, 'Resurrected?'), m.pin(conv, true), m.message(id('msg'), conv, null, 'Still there?'));
			expect(rename).toEqual({ lastMutationId: 3, rejected: [] });
			const row = await seen(laptop, conv);
			expect(row).toMatchObject({ title: '', pinned: false, deletedAt: expect.any(Number), activeLeafId: null });
			expect(merge(await phone.pullAll(0)).messages.filter((x) => x.conversationId === conv)).toEqual([]);
		});
	});

	describe('titles', () => {
		it('a conversation without a title takes its first message’s first line, and keeps it for later messages', async () => {
			const ada = await signUp(app);
			const conv = id('conv');
			const first = id('msg');
			await ada.push(m.createConversation(conv), m.message(first, conv, null, '\n   Plan the trip to Lisbon  \nwith details'));
			expect((await seen(ada, conv))?.title).toBe('Plan the trip to Lisbon');
			await ada.push(m.message(id('msg'), conv, first, 'Another topic entirely'));
			expect((await seen(ada, conv))?.title).toBe('Plan the trip to Lisbon');
		});

		it('a long first line is cut with an ellipsis, as titleFrom does on clients', async () => {
			const ada = await signUp(app);
			const conv = id('conv');
			const long = 'word '.repeat(40).trim();
			await ada.push(m.createConversation(conv), m.message(id('msg'), conv, null, long));
			const title = (await seen(ada, conv))?.title;
			expect(title).toBe(titleFrom(long));
			expect(title).toHaveLength(AUTO_TITLE_MAX);
			expect(title?.endsWith('…')).toBe(true);
		});

		it('a rename before the first message, or a title given at creation, is not replaced by it', async () => {
			const ada = await signUp(app);
			const [renamed, titled] = [id('conv'), id('conv')];
			await ada.push(
				m.createConversation(renamed),
				m.rename(renamed, 'My name for it'),
				m.message(id('msg'), renamed, null, 'First message'),
				m.createConversation(titled, { title: 'Given title' }),
				m.message(id('msg'), titled, null, 'First message')
			);
			expect((await seen(ada, renamed))?.title).toBe('My name for it');
			expect((await seen(ada, titled))?.title).toBe('Given title');
		});

		it('a rename after the first message replaces the automatic title for good', async () => {
			const ada = await signUp(app);
			const conv = id('conv');
			const first = id('msg');
			await ada.push(m.createConversation(conv), m.message(first, conv, null, 'Automatic'), m.rename(conv, 'Chosen'), m.message(id('msg'), conv, first, 'More'));
			expect((await seen(ada, conv))?.title).toBe('Chosen');
		});
	});

	describe('messages form a tree; the active leaf is the branch shown', () => {
		it('an edit is a new sibling under the same parent; the original is untouched and the active leaf moves to the edit', async () => {
			const ada = await signUp(app);
			const [conv, root, original, edit] = [id('conv'), id('msg'), id('msg'), id('msg')];
			await ada.push(m.createConversation(conv), m.message(root, conv, null, 'Root'), m.message(original, conv, root, 'Original wording'));
			const before = merge(await ada.pullAll(0));
			const originalBefore = before.messages.find((x) => x.id === original);
			expect(before.conversations.find((c) => c.id === conv)?.activeLeafId).toBe(original);

			await ada.push(m.message(edit, conv, root, 'Edited wording'));
			const after = merge(await ada.pullAll(0));
			expect(after.messages.filter((x) => x.parentId === root).map((x) => [x.id, x.content])).toEqual([
				[original, 'Original wording'],
				[edit, 'Edited wording']
			]);
			expect(after.messages.find((x) => x.id === original)).toEqual(originalBefore);
			expect(after.conversations.find((c) => c.id === conv)?.activeLeafId).toBe(edit);
			const delta = await ada.pull(before.cursor);
			expect(delta.messages.map((x) => x.id)).toEqual([edit]);
		});

		it('setActiveLeaf switches back to another branch of the same conversation', async () => {
			const ada = await signUp(app);
			const [conv, root, a, b] = [id('conv'), id('msg'), id('msg'), id('msg')];
			await ada.push(m.createConversation(conv), m.message(root, conv, null, 'Root'), m.message(a, conv, root, 'A'), m.message(b, conv, root, 'B'));
			expect((await seen(ada, conv))?.activeLeafId).toBe(b);
			expect(await ada.push(m.setActiveLeaf(conv, a))).toMatchObject({ rejected: [] });
			expect((await seen(ada, conv))?.activeLeafId).toBe(a);
		});

		it('setActiveLeaf to a message of another conversation, or a missing one, is rejected and the leaf stays', async () => {
			const ada = await signUp(app);
			const [conv, other, mine, theirs] = [id('conv'), id('conv'), id('msg'), id('msg')];
			await ada.push(m.createConversation(conv), m.message(mine, conv, null, 'Mine'), m.createConversation(other), m.message(theirs, other, null, 'Other conversation'));
			const res = await ada.push(m.setActiveLeaf(conv, theirs), m.setActiveLeaf(conv, id('msg')));
			expect(res.rejected).toEqual([
				{ id: 5, reason: 'That message does not exist, or was deleted.' },
				{ id: 6, reason: 'That message does not exist, or was deleted.' }
			]);
			expect((await seen(ada, conv))?.activeLeafId).toBe(mine);
		});

		it('a message under a parent from another conversation is rejected', async () => {
			const ada = await signUp(app);
			const [conv, other, theirs, stray] = [id('conv'), id('conv'), id('msg'), id('msg')];
			await ada.push(m.createConversation(conv), m.createConversation(other), m.message(theirs, other, null, 'Other conversation'));
			const res = await ada.push(m.message(stray, conv, theirs, 'Crossing over'));
			expect(res.rejected).toEqual([{ id: 4, reason: 'That message to reply under does not exist, or was deleted.' }]);
			expect(merge(await ada.pullAll(0)).messages.map((x) => x.id)).not.toContain(stray);
		});
	});
});
