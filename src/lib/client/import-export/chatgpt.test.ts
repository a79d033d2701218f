import { describe, expect, it } from 'vitest';
import { CHATGPT_FALLBACK_MODEL, IMAGE_NOTE, fenced } from './chatgpt';
import { deriveId, messageKey } from './derive-id';
import { chatGptExport, chatGptExportText, CODE, conversationA, KEY_ANSWER, SORTED_ANSWER, T_A, T_B, T_C } from './fixtures/chatgpt-export';
import { parseImportFile } from './parse';
import { planImport, type ImportPlan, type PlannedConversation } from './plan';

const USER = 'ada';
const MODEL = 'openai/gpt-4o-mini';
const plan = (text = chatGptExportText, existing = new Set<string>()) =>
	planImport(parseImportFile(text), { userId: USER, existing, defaultModel: MODEL, now: 99 });

/** Node names for the derived ids of a conversation's nodes. */
async function names(conversationId: string, nodeIds: string[]): Promise<Map<string, string>> {
	const pairs = await Promise.all(nodeIds.map(async (node) => [await deriveId(USER, 'chatgpt', messageKey(conversationId, node)), node] as const));
	return new Map(pairs);
}

interface Row {
	node: string;
	parent: string | null;
	role: string;
	content: string;
	model: string | null;
	createdAt: number;
}

/** A planned conversation's messages with node names instead of derived ids, and its active leaf. */
async function tree(planned: PlannedConversation, sourceId: string) {
	const mapping = Object.keys((chatGptExport.find((c) => c.id === sourceId) as { mapping: object }).mapping);
	const byId = await names(sourceId, mapping);
	const name = (id: string | null) => (id === null ? null : (byId.get(id) ?? `?${id}`));
	const rows: Row[] = [];
	let leaf: string | null = null;
	for (const m of planned.mutations) {
		if (m.name === 'message.import') {
			expect(m.args.conversationId).toBe(planned.id);
			for (const x of m.args.messages) rows.push({ node: name(x.id) as string, parent: name(x.parentId), role: x.role, content: x.content, model: x.model, createdAt: x.createdAt });
		}
		if (m.name === 'conversation.setActiveLeaf') leaf = name(m.args.leafId);
	}
	return { rows, byNode: new Map(rows.map((r) => [r.node, r])), leaf };
}

function conversation(p: ImportPlan, sourceId: string): PlannedConversation {
	const found = p.conversations.find((c) => c.sourceId === sourceId);
	if (!found) throw new Error(`no ${sourceId}`);
	return found;
}

describe('ChatGPT import', () => {
	it('summarises what it will import and what it leaves out', async () => {
		const p = await plan();
		expect(p.summary).toMatchObject({ source: 'chatgpt', conversations: 3, messages: 8 + 3 + 2, skipped: 0 });
		expect(p.summary.warnings).toEqual([
			`2 images are not in the export file; each is marked ${IMAGE_NOTE}.`,
			'4 tool or reasoning steps were left out (web searches, image prompts, memory updates, reasoning). Code ChatGPT ran and its output are kept in its replies.'
		]);
		// Oldest first by last update: the most recent ends on top of the list.
		expect(p.conversations.map((c) => c.sourceId)).toEqual(['conv-a', 'conv-c', 'conv-b']);
		expect(p.mutations).toEqual(p.conversations.flatMap((c) => c.mutations));
	});

	it('keeps the tree of regenerations and edits, and the branch that was shown', async () => {
		const p = await plan();
		const a = conversation(p, 'conv-a');
		const { rows, byNode, leaf } = await tree(a, 'conv-a');
		// The hidden system node at the root is left out: the first question is a first message.
		expect(rows.map((r) => [r.node, r.parent])).toEqual([
			['a-u1', null],
			['a-a1', 'a-u1'],
			['a-a1b', 'a-u1'],
			['a-a1c', 'a-u1'],
			['a-u2', 'a-a1'],
			['a-a2', 'a-u2'],
			['a-u2e', 'a-a1'],
			['a-a2e', 'a-u2e']
		]);
		// current_node is on the older branch, not the newest one.
		expect(leaf).toBe('a-a2');
		expect(byNode.get('a-u1')).toMatchObject({ role: 'user', content: 'How do I sort a list in Python?', model: null, createdAt: 1_700_000_010_123 });
		expect(byNode.get('a-a1')).toMatchObject({ role: 'assistant', content: SORTED_ANSWER, model: 'gpt-4o', createdAt: (T_A + 12) * 1000 });
		expect(byNode.get('a-a1c')?.model).toBe('o1-mini');
		expect(byNode.get('a-a2')?.content).toBe(KEY_ANSWER);
		expect(byNode.get('a-a2e')?.model).toBe('gpt-4o-mini');
		expect(a.mutations[0]).toEqual({
			name: 'conversation.import',
			args: { id: a.id, title: 'Sorting in Python', model: MODEL, systemPrompt: '', createdAt: T_A * 1000, updatedAt: (T_A + 65.5) * 1000 }
		});
		expect(a.mutations.map((m) => m.name)).toEqual(['conversation.import', 'message.import', 'conversation.setActiveLeaf']);
	});

	it('keeps custom instructions as a system message and folds code, its output and the chart into the reply', async () => {
		const b = conversation(await plan(), 'conv-b');
		const { rows, leaf } = await tree(b, 'conv-b');
		expect(rows).toEqual([
			{
				node: 'b-ctx',
				parent: null,
				role: 'system',
				content:
					'The user provided the following information about themselves: I am a data analyst.\n\nThe user provided the additional info about how they would like you to respond: Answer briefly.',
				model: null,
				createdAt: T_B * 1000 // no time of its own: the conversation's
			},
			// No time either: its parent's.
			{ node: 'b-u1', parent: 'b-ctx', role: 'user', content: `${IMAGE_NOTE}\n\nPlot the data in this screenshot.`, model: null, createdAt: T_B * 1000 },
			{
				node: 'b-a1',
				parent: 'b-u1',
				role: 'assistant',
				content: ['```python', CODE, '```', '', '```text', "<Axes: xlabel='month'>", '```', '', IMAGE_NOTE, '', 'Here is the chart: sales rise in March.'].join('\n'),
				model: 'gpt-4o',
				createdAt: (T_B + 5) * 1000
			}
		]);
		// current_node (the answer) was folded into the reply that starts with the code.
		expect(leaf).toBe('b-a1');
	});

	it('leaves out empty answers, reasoning and web searches, titles an untitled conversation, and archives', async () => {
		const c = conversation(await plan(), 'conv-c');
		const { rows, leaf } = await tree(c, 'conv-c');
		expect(rows.map((r) => [r.node, r.parent, r.role, r.content, r.createdAt])).toEqual([
			['c-u1', null, 'user', "What's the weather in Paris tomorrow?", T_C * 1000],
			['c-a2', 'c-u1', 'assistant', 'Tomorrow in Paris: 18 °C and light rain.', (T_C + 6) * 1000]
		]);
		expect(leaf).toBe('c-a2');
		expect(c.title).toBe("What's the weather in Paris tomorrow?");
		expect(c.mutations.map((m) => m.name)).toEqual(['conversation.import', 'message.import', 'conversation.archive', 'conversation.setActiveLeaf']);
		// No update_time: the newest message's time.
		expect(c.mutations[0]?.args).toMatchObject({ createdAt: T_C * 1000, updatedAt: (T_C + 6) * 1000 });
	});

	it('derives the same ids from the same file, and other ids for another user', async () => {
		const [first, second] = [await plan(), await plan()];
		expect(second).toEqual(first);
		const other = await planImport(parseImportFile(chatGptExportText), { userId: 'bob', existing: new Set(), defaultModel: MODEL, now: 99 });
		const ids = (p: ImportPlan) =>
			p.mutations.flatMap((m) => (m.name === 'message.import' ? m.args.messages.map((x) => x.id) : m.name === 'conversation.import' ? [m.args.id] : []));
		expect(ids(first)).toHaveLength(16);
		expect(new Set(ids(first)).size).toBe(16);
		for (const id of ids(first)) expect(id).toMatch(/^i[A-Za-z0-9_-]{27}$/);
		expect(ids(other).filter((id) => ids(first).includes(id))).toEqual([]);
	});

	it('leaves out conversations already in the store', async () => {
		const first = await plan();
		const again = await plan(chatGptExportText, new Set(first.conversations.map((c) => c.id)));
		expect(again.summary).toMatchObject({ conversations: 0, messages: 0, skipped: 3, warnings: [] });
		expect(again.mutations).toEqual([]);
		// A file with the same conversation twice imports it once.
		const twice = await plan(JSON.stringify([conversationA, conversationA]));
		expect(twice.summary).toMatchObject({ conversations: 1, skipped: 1 });
	});

	it('reads odd and older shapes leniently', async () => {
		const odd = [
			{
				// No id: identified by time and title; no times at all; a parent missing from the mapping.
				title: 'Odd',
				create_time: null,
				update_time: null,
				current_node: 'gone',
				mapping: {
					n1: { id: 'n1', parent: 'missing', children: ['n2'], message: { author: { role: 'user' }, content: { content_type: 'text', parts: ['Hi', { unknown: true }] }, create_time: null } },
					n2: { id: 'n2', parent: 'n1', children: [], message: { author: { role: 'assistant' }, content: { content_type: 'text', parts: ['Hello'] }, create_time: null } },
					n3: { id: 'n3', parent: 'n2', children: [], message: { author: { role: 'system' }, content: { content_type: 'text', parts: ['Be nice'] }, metadata: { is_user_system_message: true } } },
					n4: { id: 'n4', parent: 'n2', children: [], message: { author: { role: 'critic' }, content: { content_type: 'text', parts: ['?'] } } }
				}
			},
			'not a conversation'
		];
		const p = await planImport(parseImportFile(JSON.stringify(odd)), { userId: USER, existing: new Set(), defaultModel: MODEL, now: 5_000 });
		expect(p.summary.conversations).toBe(1);
		expect(p.summary.warnings).toContain('1 entry of the file is not a conversation and was left out.');
		expect(p.summary.warnings).toContain('1 message answers a message missing from the file and now starts a new branch.');
		const messages = p.mutations.flatMap((m) => (m.name === 'message.import' ? m.args.messages : []));
		expect(messages.map((m) => [m.role, m.content, m.model, m.createdAt])).toEqual([
			['user', 'Hi', null, 5_000],
			['assistant', 'Hello', CHATGPT_FALLBACK_MODEL, 5_000],
			['system', 'Be nice', null, 5_000]
		]);
		expect(messages[0]?.parentId).toBeNull();
		// current_node is not in the mapping: the newest branch is shown.
		const leaf = p.mutations.find((m) => m.name === 'conversation.setActiveLeaf');
		expect(leaf?.args).toMatchObject({ leafId: messages[2]?.id });
	});

	it('writes code in a fence its own backticks cannot close', () => {
		expect(fenced('print(1)\n', 'python')).toBe('```python\nprint(1)\n```');
		expect(fenced('x = """\n```\n"""', 'unknown')).toBe('````\nx = """\n```\n"""\n````');
		expect(fenced('  ', 'python')).toBe('');
	});
});
