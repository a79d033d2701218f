import { describe, expect, it } from 'vitest';
import { IMPORTED_CONTENT_MAX } from '../../domain/sync';
import { deriveId, messageKey } from './derive-id';
import { parseImportFile } from './parse';
import { planImport } from './plan';

const MODEL = 'openai/gpt-4o-mini';

function file(messages: { id: string; parentId: string | null; content: string; createdAt?: number }[], extra: object = {}) {
	return JSON.stringify({
		format: 'phosphor-export',
		version: 1,
		exportedAt: 1,
		conversations: [
			{
				id: 'c',
				title: 'T',
				model: MODEL,
				createdAt: 1,
				updatedAt: 2,
				...extra,
				messages: messages.map((m, i) => ({ role: i % 2 ? 'assistant' : 'user', createdAt: i, ...m }))
			}
		]
	});
}
const plan = (text: string, existing = new Set<string>()) => planImport(parseImportFile(text), { userId: 'ada', existing, defaultModel: MODEL, now: 1 });
const chain = (n: number, content = (i: number) => `message ${i}`) => Array.from({ length: n }, (_, i) => ({ id: `m${i}`, parentId: i === 0 ? null : `m${i - 1}`, content: content(i) }));
const batchSizes = (p: Awaited<ReturnType<typeof plan>>) => p.mutations.flatMap((m) => (m.name === 'message.import' ? [m.args.messages.length] : []));

describe('planImport', () => {
	it('derives ids per user, is deterministic, and carries a Phosphor conversation’s settings', async () => {
		const text = file(chain(2), { pinned: true, archived: true, fallbackModels: ['openai/gpt-4o'], temperature: 0.2, maxTokens: null, systemPrompt: 'Short.', activeLeafId: 'm0' });
		const p = await plan(text);
		expect(await plan(text)).toEqual(p);
		const id = await deriveId('ada', 'phosphor', 'c');
		const [m0, m1] = await Promise.all(['m0', 'm1'].map((m) => deriveId('ada', 'phosphor', messageKey('c', m))));
		expect(p.mutations).toEqual([
			{ name: 'conversation.import', args: { id, title: 'T', model: MODEL, systemPrompt: 'Short.', createdAt: 1, updatedAt: 2 } },
			{
				name: 'message.import',
				args: {
					conversationId: id,
					messages: [
						{ id: m0, parentId: null, role: 'user', content: 'message 0', model: null, createdAt: 0 },
						{ id: m1, parentId: m0, role: 'assistant', content: 'message 1', model: null, createdAt: 1 }
					]
				}
			},
			{ name: 'conversation.setFallbackModels', args: { id, models: ['openai/gpt-4o'] } },
			{ name: 'conversation.setParameters', args: { id, temperature: 0.2, maxTokens: null } },
			{ name: 'conversation.pin', args: { id, pinned: true } },
			{ name: 'conversation.archive', args: { id, archived: true } },
			{ name: 'conversation.setActiveLeaf', args: { id, leafId: m0 } }
		]);
		expect(await deriveId('bob', 'phosphor', 'c')).not.toBe(id);
		expect(await deriveId('ada', 'chatgpt', 'c')).not.toBe(id);
	});

	it('leaves out a conversation this store has, by its own id or its derived one', async () => {
		const text = file(chain(2));
		expect((await plan(text, new Set(['c']))).summary).toMatchObject({ conversations: 0, skipped: 1 });
		expect((await plan(text, new Set([await deriveId('ada', 'phosphor', 'c')]))).summary).toMatchObject({ conversations: 0, skipped: 1 });
	});

	it('batches at most 50 messages, and fewer when they are long', async () => {
		expect(batchSizes(await plan(file(chain(120))))).toEqual([50, 50, 20]);
		// Three replies of 200,000 characters: two would pass 1 MiB in one push.
		expect(batchSizes(await plan(file(chain(3, (i) => `${i}`.repeat(200_000)))))).toEqual([1, 1, 1]);
	});

	it('shortens a message past 500,000 characters, says so, and keeps its children', async () => {
		const long = 'a'.repeat(IMPORTED_CONTENT_MAX - 3) + '😀'.repeat(50_000);
		const p = await plan(file([{ id: 'm0', parentId: null, content: 'Q' }, { id: 'm1', parentId: 'm0', content: long }, { id: 'm2', parentId: 'm1', content: 'More' }]));
		const messages = p.mutations.flatMap((m) => (m.name === 'message.import' ? m.args.messages : []));
		expect(messages).toHaveLength(3);
		const cut = messages[1]?.content ?? '';
		expect(cut.length).toBeLessThanOrEqual(IMPORTED_CONTENT_MAX);
		expect(cut).toMatch(/\n\n\*\[Shortened on import: 100,\d{3} characters left out\.\]\*$/);
		expect(cut.startsWith('a'.repeat(1000))).toBe(true);
		expect(p.summary.warnings).toEqual(['1 message was longer than 500,000 characters and was shortened.']);
	});

	it('never cuts an emoji in half', async () => {
		const emoji = '😀'.repeat(300_000);
		const p = await plan(file([{ id: 'm0', parentId: null, content: emoji }, { id: 'm1', parentId: null, content: `b${emoji}` }]));
		const messages = p.mutations.flatMap((m) => (m.name === 'message.import' ? m.args.messages : []));
		for (const m of messages) {
			expect(m.content.length).toBeLessThanOrEqual(IMPORTED_CONTENT_MAX);
			expect(m.content).not.toMatch(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/);
		}
		expect(p.summary.warnings).toEqual(['2 messages were longer than 500,000 characters and were shortened.']);
	});

	it('puts children of empty, looping or repeated messages where they can go, and says what it left out', async () => {
		const p = await plan(
			file([
				{ id: 'a', parentId: null, content: 'root' },
				{ id: 'e', parentId: 'a', content: '  ' },
				{ id: 'b', parentId: 'e', content: 'under the empty one' },
				{ id: 'x', parentId: 'y', content: 'loop x' },
				{ id: 'y', parentId: 'x', content: 'loop y' },
				{ id: 'z', parentId: 'x', content: 'under the loop' },
				{ id: 'b', parentId: 'a', content: 'repeated id' },
				{ id: 'o', parentId: 'nowhere', content: 'orphan' }
			])
		);
		const messages = p.mutations.flatMap((m) => (m.name === 'message.import' ? m.args.messages : []));
		const content = new Map(messages.map((m) => [m.id, m.content]));
		expect(messages.map((m) => [m.content, m.parentId === null ? null : content.get(m.parentId)])).toEqual([
			['root', null],
			['under the empty one', 'root'],
			['orphan', null]
		]);
		expect(p.summary.warnings).toEqual([
			'1 message answers a message missing from the file and now starts a new branch.',
			'3 messages were left out: they are in, or under, a loop of replies.',
			'1 message was left out: its id repeats an earlier one.'
		]);
	});

	it('orders parents first even when a reply is older than its question, older siblings first', async () => {
		const p = await plan(
			file([
				{ id: 'late-root', parentId: null, content: 'root', createdAt: 50 },
				{ id: 'early-child', parentId: 'late-root', content: 'child', createdAt: 10 },
				{ id: 'sibling-2', parentId: 'late-root', content: 'second', createdAt: 60 },
				{ id: 'sibling-1', parentId: 'late-root', content: 'first', createdAt: 55 }
			])
		);
		const messages = p.mutations.flatMap((m) => (m.name === 'message.import' ? m.args.messages : []));
		expect(messages.map((m) => m.content)).toEqual(['root', 'child', 'first', 'second']);
	});
});
