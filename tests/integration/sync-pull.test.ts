import { count, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { messages } from '../../server/db/schema';
import { MESSAGE_CONTENT_MAX, PULL_PAGE_ROWS, PUSH_MAX_MUTATIONS, type PullResponse } from '../../src/lib/domain/sync';
import { startTestApp, type TestApp } from '../helpers/app';
import { eventually, id, m, merge, signUp, type Change, type SyncClient } from '../helpers/sync-client';

/** Every row of a page as `kind:id@version`, in the order the page lists them. */
const rowsOf = (page: PullResponse) => [
	...page.conversations.map((r) => ({ kind: 'conversation', id: r.id, version: r.version })),
	...page.messages.map((r) => ({ kind: 'message', id: r.id, version: r.version })),
	...page.generations.map((r) => ({ kind: 'generation', id: r.id, version: r.version })),
	...page.rejections.map((r) => ({ kind: 'rejection', id: `${r.clientId}/${r.mutationId}`, version: r.version }))
];
const versionsOf = (page: PullResponse) => rowsOf(page).map((r) => r.version);
const ascending = (list: number[]) => list.every((v, i) => i === 0 || v > (list[i - 1] as number));

describe('sync.pull: what changed since a cursor, in version order, in pages', () => {
	let app: TestApp;

	beforeAll(async () => {
		app = await startTestApp();
	});
	afterAll(() => app.stop());

	it('returns only rows changed after the cursor, each table in version order, with the client’s lastMutationId', async () => {
		const ada = await signUp(app);
		const [c1, c2, m1, m2] = [id('conv'), id('conv'), id('msg'), id('msg')];
		await ada.push(m.createConversation(c1), m.message(m1, c1, null, 'One'), m.createConversation(c2));
		const first = await ada.pull(0);
		expect(first.conversations.map((c) => c.id).sort()).toEqual([c1, c2].sort());
		expect(first.messages.map((x) => x.id)).toEqual([m1]);
		expect(first.lastMutationId).toBe(3);

		await ada.push(m.rename(c2, 'Renamed'), m.message(m2, c1, m1, 'Two'));
		const next = await ada.pull(first.cursor);
		// c2 changed; c1 changed too (its active leaf moved to m2); m1 did not.
		expect(next.messages.map((x) => x.id)).toEqual([m2]);
		expect(next.conversations.map((c) => c.id)).toEqual([c2, c1]);
		expect(next.conversations[0]).toMatchObject({ title: 'Renamed' });
		expect(next.conversations[1]).toMatchObject({ activeLeafId: m2 });
		expect(versionsOf(next).every((v) => v > first.cursor && v <= next.cursor)).toBe(true);
		for (const list of [next.conversations, next.messages]) expect(ascending(list.map((r) => r.version))).toBe(true);
		expect(next.lastMutationId).toBe(5);

		const nothing = await ada.pull(next.cursor);
		expect(rowsOf(nothing)).toEqual([]);
		expect(nothing).toMatchObject({ cursor: next.cursor, more: false, lastMutationId: 5 });
	});

	it('a pull without a client id, or with a client that never pushed, reports lastMutationId 0', async () => {
		const ada = await signUp(app);
		await ada.push(m.createConversation(id('conv')));
		expect((await ada.pull(0, null)).lastMutationId).toBe(0);
		expect((await ada.pull(0, id('client'))).lastMutationId).toBe(0);
	});

	it('a deleted conversation arrives as a tombstone; a fresh client no longer receives its messages or replies', async () => {
		const ada = await signUp(app);
		const [conv, kept, question, answer, generation] = [id('conv'), id('conv'), id('msg'), id('msg'), id('gen')];
		await ada.push(
			m.createConversation(conv, { systemPrompt: 'Be terse.' }),
			m.message(question, conv, null, 'Something private [[sim:len=30]]'),
			m.reply({ id: generation, conversationId: conv, userMessageId: question, assistantMessageId: answer }),
			m.createConversation(kept)
		);
		await eventually(async () => merge(await ada.pullAll(0)).generations.find((g) => g.id === generation && g.state === 'done'), 15_000, 'the reply');
		const before = merge(await ada.pullAll(0));
		expect(before.messages).toHaveLength(2);

		await ada.push(m.remove(conv));
		const delta = merge(await ada.pullAll(before.cursor));
		const tombstone = delta.conversations.find((c) => c.id === conv);
		expect(tombstone).toMatchObject({ deletedAt: expect.any(Number), title: '', systemPrompt: '', activeLeafId: null });
		expect(tombstone?.version).toBeGreaterThan(before.cursor);

		const fresh = merge(await ada.sibling().pullAll(0));
		expect(fresh.conversations.find((c) => c.id === conv)?.deletedAt).toEqual(expect.any(Number));
		expect(fresh.conversations.find((c) => c.id === kept)?.deletedAt).toBeNull();
		expect(fresh.messages.filter((x) => x.conversationId === conv)).toEqual([]);
		expect(fresh.generations.filter((g) => g.conversationId === conv)).toEqual([]);
		expect(JSON.stringify(fresh)).not.toContain('Something private');
	});

	it('pages through more than a page of rows: each page at most 500 rows, every row exactly once, in version order', async () => {
		const ada = await signUp(app);
		const bob = await signUp(app);
		const convs = [id('conv'), id('conv'), id('conv')];
		const MESSAGES = 300;
		await ada.push(...convs.map((c) => m.createConversation(c)));
		// 900 messages, pushed 100 at a time; Bob writes in between, so versions interleave with his.
		const changes: Change[] = [];
		const parents = new Map<string, string | null>(convs.map((c) => [c, null]));
		for (let i = 0; i < MESSAGES; i++) {
			for (const c of convs) {
				const msg = id('msg');
				changes.push(m.message(msg, c, parents.get(c) ?? null, `Message ${i}`));
				parents.set(c, msg);
			}
		}
		const bobConv = id('conv');
		await bob.push(m.createConversation(bobConv));
		for (let i = 0; i < changes.length; i += PUSH_MAX_MUTATIONS) {
			const res = await ada.push(...changes.slice(i, i + PUSH_MAX_MUTATIONS));
			expect(res.rejected).toEqual([]);
			await bob.push(m.rename(bobConv, `Bob ${i}`));
		}

		const pages = await ada.pullAll(0);
		expect(pages.length).toBeGreaterThanOrEqual(2);
		const seen: string[] = [];
		let cursor = 0;
		for (const [i, page] of pages.entries()) {
			const rows = rowsOf(page);
			expect(rows.length).toBeLessThanOrEqual(PULL_PAGE_ROWS);
			expect(page.more).toBe(i < pages.length - 1);
			if (page.more) expect(rows).toHaveLength(PULL_PAGE_ROWS);
			// The page covers the versions just after the previous cursor: all of them, none beyond its own cursor.
			expect(rows.every((r) => r.version > cursor && r.version <= page.cursor)).toBe(true);
			expect(ascending([...rows].sort((a, b) => a.version - b.version).map((r) => r.version))).toBe(true);
			expect(page.lastMutationId).toBe(ada.nextMutationId - 1);
			seen.push(...rows.map((r) => `${r.kind}:${r.id}`));
			cursor = page.cursor;
		}
		expect(new Set(seen).size).toBe(seen.length);
		const dbMessages = app.services.db.select({ n: count() }).from(messages).where(eq(messages.userId, (await userId(ada)) ?? '')).get()?.n;
		expect(dbMessages).toBe(convs.length * MESSAGES);
		expect(seen.filter((s) => s.startsWith('message:'))).toHaveLength(convs.length * MESSAGES);
		expect(seen.filter((s) => s.startsWith('conversation:')).sort()).toEqual(convs.map((c) => `conversation:${c}`).sort());
		expect(seen.some((s) => s.includes(bobConv))).toBe(false);

		const final = await ada.pull(cursor);
		expect(rowsOf(final)).toEqual([]);
		expect(final.more).toBe(false);
		expect(final.cursor).toBe(cursor);
	});

	it('a page boundary that falls between rows of one push loses nothing when the next page is asked for', async () => {
		const ada = await signUp(app);
		const conv = id('conv');
		const changes: Change[] = [m.createConversation(conv)];
		let parent: string | null = null;
		for (let i = 0; i < 2 * PULL_PAGE_ROWS + 10; i++) {
			const msg = id('msg');
			changes.push(m.message(msg, conv, parent, `Line ${i}`));
			parent = msg;
		}
		for (let i = 0; i < changes.length; i += PUSH_MAX_MUTATIONS) await ada.push(...changes.slice(i, i + PUSH_MAX_MUTATIONS));
		// A device that pulled the first page, then resumed from its cursor, ends with the same rows as one big read.
		const pages = await ada.pullAll(0);
		expect(pages.map((p) => rowsOf(p).length)).toEqual([PULL_PAGE_ROWS, PULL_PAGE_ROWS, 11]);
		const merged = merge(pages);
		expect(merged.messages.map((x) => x.content)).toEqual(Array.from({ length: 2 * PULL_PAGE_ROWS + 10 }, (_, i) => `Line ${i}`));
		expect(merged.conversations).toEqual([expect.objectContaining({ id: conv, activeLeafId: parent })]);
	});

	it('a page also ends once its text passes 4 MB, and the next page resumes exactly after it', async () => {
		const ada = await signUp(app);
		const conv = id('conv');
		const COUNT = 45;
		const changes: Change[] = [m.createConversation(conv)];
		let parent: string | null = null;
		for (let i = 0; i < COUNT; i++) {
			const msg = id('msg');
			changes.push(m.message(msg, conv, parent, `${i}:`.padEnd(MESSAGE_CONTENT_MAX, 'x')));
			parent = msg;
		}
		// Requests are at most 2 MB: fifteen of these long messages at a time.
		for (let i = 0; i < changes.length; i += 15) expect((await ada.push(...changes.slice(i, i + 15))).rejected).toEqual([]);

		const pages = await ada.pullAll(0);
		expect(pages.length).toBeGreaterThanOrEqual(2);
		expect(rowsOf(pages[0] as PullResponse).length).toBeLessThan(PULL_PAGE_ROWS);
		expect(pages[0]?.more).toBe(true);
		for (const page of pages) expect(page.messages.reduce((n, x) => n + x.content.length, 0)).toBeLessThanOrEqual(4 * 1024 * 1024 + MESSAGE_CONTENT_MAX);
		const merged = merge(pages);
		expect(merged.messages.map((x) => x.content.slice(0, x.content.indexOf(':')))).toEqual(Array.from({ length: COUNT }, (_, i) => String(i)));
		expect(merged.conversations.map((c) => c.id)).toEqual([conv]);
	});

	it('every change takes its own version from one counter shared by all tables and users', async () => {
		const [ada, bob] = [await signUp(app), await signUp(app)];
		const [c1, c2, msg] = [id('conv'), id('conv'), id('msg')];
		await Promise.all([
			ada.push(m.createConversation(c1), m.message(msg, c1, null, 'Hi'), m.rename(id('conv'), 'rejected')),
			bob.push(m.createConversation(c2), m.rename(c2, 'Bob'), m.pin(c2, true))
		]);
		const rows = app.services.sqlite
			.prepare(
				`SELECT version FROM conversations UNION ALL SELECT version FROM messages UNION ALL
				 SELECT version FROM generations WHERE conversation_id IS NOT NULL UNION ALL SELECT version FROM sync_rejections`
			)
			.all() as Array<{ version: number }>;
		const versions = rows.map((r) => r.version);
		expect(versions.length).toBeGreaterThanOrEqual(5);
		expect(versions.every((v) => v > 0)).toBe(true);
		expect(new Set(versions).size).toBe(versions.length);
		const counter = app.services.sqlite.prepare('SELECT version FROM sync_counter WHERE id = 1').get() as { version: number };
		expect(Math.max(...versions)).toBeLessThanOrEqual(counter.version);
	});
});

async function userId(client: SyncClient) {
	return ((await client.http.query('auth.me')).json.result?.data as { id: string } | undefined)?.id;
}
