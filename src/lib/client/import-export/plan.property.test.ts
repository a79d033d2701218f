import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { IMPORT_BATCH_MAX } from '../../domain/sync';
import { parseImportFile } from './parse';
import { BATCH_BYTES_MAX, planImport, type ImportPlan } from './plan';

const MODEL = 'openai/gpt-4o-mini';

/** What must hold of any plan: each message's parent comes before it, batches are bounded, the leaf is imported. */
function checkPlan(plan: ImportPlan): void {
	expect(plan.mutations).toEqual(plan.conversations.flatMap((c) => c.mutations));
	for (const conversation of plan.conversations) {
		const [first, ...rest] = conversation.mutations;
		expect(first?.name).toBe('conversation.import');
		const imported = new Set<string>();
		for (const mutation of rest) {
			if (mutation.name === 'message.import') {
				expect(mutation.args.conversationId).toBe(conversation.id);
				const { messages } = mutation.args;
				expect(messages.length).toBeGreaterThanOrEqual(1);
				expect(messages.length).toBeLessThanOrEqual(IMPORT_BATCH_MAX);
				if (messages.length > 1) expect(messages.reduce((sum, m) => sum + m.content.length * 3 + 300, 0)).toBeLessThanOrEqual(BATCH_BYTES_MAX);
				for (const m of messages) {
					if (m.parentId !== null) expect(imported.has(m.parentId)).toBe(true);
					expect(imported.has(m.id)).toBe(false);
					expect(m.content.trim()).not.toBe('');
					imported.add(m.id);
				}
			} else if (mutation.name === 'conversation.setActiveLeaf') {
				expect(imported.has(mutation.args.leafId)).toBe(true);
				expect(mutation).toBe(conversation.mutations.at(-1));
			}
		}
		expect(imported.size).toBe(conversation.messages);
		if (imported.size > 0) expect(conversation.mutations.at(-1)?.name).toBe('conversation.setActiveLeaf');
	}
	expect(plan.summary.messages).toBe(plan.conversations.reduce((sum, c) => sum + c.messages, 0));
}

const content = fc.oneof(
	{ weight: 1, arbitrary: fc.constantFrom('', '  \n') },
	{ weight: 4, arbitrary: fc.string({ minLength: 1, maxLength: 12 }).map((s) => `x${s}`) },
	{ weight: 1, arbitrary: fc.constant('y'.repeat(40_000)) }
);

/** Messages with any parent: earlier, later, itself, missing, none; times in any order. */
const phosphorConversation = (forest: boolean) =>
	fc
		.array(fc.record({ parent: fc.integer({ min: -2, max: 300 }), createdAt: fc.nat(40), content, role: fc.constantFrom('user', 'assistant', 'system') }), {
			maxLength: 130
		})
		.chain((messages) =>
			fc.record({
				messages: fc.constant(
					messages.map((m, i) => ({
						id: `m${i}`,
						parentId: m.parent === -1 || (forest && i === 0) ? null : m.parent === -2 ? 'missing' : `m${forest ? m.parent % i : m.parent % messages.length}`,
						role: m.role,
						content: m.content,
						model: m.role === 'assistant' ? MODEL : null,
						createdAt: m.createdAt
					}))
				),
				activeLeafId: messages.length === 0 ? fc.constant(null) : fc.option(fc.nat(messages.length - 1).map((i) => `m${i}`))
			})
		);

const phosphorExport = (forest: boolean) =>
	fc.array(phosphorConversation(forest), { minLength: 1, maxLength: 3 }).map((conversations) => ({
		format: 'phosphor-export',
		version: 1,
		exportedAt: 1,
		conversations: conversations.map((c, i) => ({ id: `c${i}`, model: MODEL, createdAt: 1, updatedAt: 2, ...c }))
	}));

const chatGptNode = fc.record({
	parent: fc.integer({ min: -2, max: 200 }),
	role: fc.constantFrom('user', 'assistant', 'system', 'tool'),
	contentType: fc.constantFrom('text', 'multimodal_text', 'code', 'execution_output', 'thoughts', 'tether_quote'),
	recipient: fc.constantFrom('all', 'all', 'python', 'web'),
	hidden: fc.boolean(),
	userSystem: fc.boolean(),
	createTime: fc.option(fc.double({ min: 1_600_000_000, max: 1_700_000_000, noNaN: true })),
	text: content,
	isNull: fc.boolean()
});

const chatGptExport = fc.array(
	fc.array(chatGptNode, { maxLength: 80 }).chain((nodes) =>
		fc.record({ nodes: fc.constant(nodes), current: fc.option(fc.nat(Math.max(0, nodes.length))) })
	),
	{ minLength: 1, maxLength: 3 }
).map((conversations) =>
	conversations.map(({ nodes, current }, c) => ({
		id: `conv${c}`,
		title: c === 0 ? null : `T${c}`,
		create_time: 1_650_000_000,
		update_time: null,
		current_node: current === null ? null : `n${current}`,
		mapping: Object.fromEntries(
			nodes.map((n, i) => [
				`n${i}`,
				{
					id: `n${i}`,
					parent: n.parent === -1 ? null : n.parent === -2 ? 'gone' : `n${n.parent % nodes.length}`,
					children: [],
					message: n.isNull
						? null
						: {
								author: { role: n.role },
								create_time: n.createTime,
								recipient: n.recipient,
								content:
									n.contentType === 'multimodal_text'
										? { content_type: n.contentType, parts: [{ content_type: 'image_asset_pointer' }, n.text] }
										: { content_type: n.contentType, parts: [n.text], text: n.text, language: 'python' },
								metadata: { is_visually_hidden_from_conversation: n.hidden, is_user_system_message: n.userSystem, model_slug: 'gpt-4o' }
							}
				}
			])
		)
	}))
);

const plan = (file: unknown, userId = 'ada') => planImport(parseImportFile(JSON.stringify(file)), { userId, existing: new Set(), defaultModel: MODEL, now: 1_000 });

describe('planImport (properties)', () => {
	it('emits parents before children in bounded batches, whatever the Phosphor file', async () => {
		await fc.assert(fc.asyncProperty(phosphorExport(false), async (file) => checkPlan(await plan(file))), { numRuns: 150 });
	});

	it('imports every non-empty message of a well-formed tree under its nearest non-empty ancestor', async () => {
		await fc.assert(
			fc.asyncProperty(phosphorExport(true), async (file) => {
				const p = await plan(file);
				checkPlan(p);
				for (const [i, source] of file.conversations.entries()) {
					const planned = p.conversations.find((c) => c.sourceId === `c${i}`);
					const kept = source.messages.filter((m) => m.content.trim() !== '');
					expect(planned?.messages ?? 0).toBe(kept.length);
					const byId = new Map(source.messages.map((m) => [m.id, m]));
					const contentOf = new Map<string, string>();
					const parentContent = new Map<string, string | null>();
					for (const m of planned?.mutations ?? []) {
						if (m.name !== 'message.import') continue;
						for (const x of m.args.messages) {
							contentOf.set(x.id, x.content);
							parentContent.set(x.content, x.parentId === null ? null : (contentOf.get(x.parentId) ?? '?'));
						}
					}
					// Contents can repeat, so compare as multisets of (content, parent's content).
					const expected = kept.map((m) => {
						let parent = m.parentId === null ? undefined : byId.get(m.parentId);
						while (parent !== undefined && parent.content.trim() === '') parent = parent.parentId === null ? undefined : byId.get(parent.parentId);
						return [m.content, parent?.content ?? null];
					});
					const actual = [...(planned?.mutations ?? [])].flatMap((m) =>
						m.name === 'message.import' ? m.args.messages.map((x) => [x.content, x.parentId === null ? null : (contentOf.get(x.parentId) ?? '?')]) : []
					);
					const sort = (rows: unknown[][]) => rows.map((r) => JSON.stringify(r)).sort();
					expect(sort(actual)).toEqual(sort(expected));
				}
			}),
			{ numRuns: 150 }
		);
	});

	it('emits parents before children in bounded batches, whatever the ChatGPT file', async () => {
		await fc.assert(
			fc.asyncProperty(chatGptExport, async (file) => {
				const p = await plan(file);
				checkPlan(p);
				expect(await plan(file)).toEqual(p);
			}),
			{ numRuns: 150 }
		);
	});
});

describe('planImport (size)', () => {
	it('plans a large ChatGPT export (2,000 conversations × 10 messages)', async () => {
		const conversations = Array.from({ length: 2_000 }, (_, c) => {
			const mapping: Record<string, unknown> = { root: { id: 'root', parent: null, children: ['n0'], message: null } };
			for (let i = 0; i < 10; i++) {
				const role = i % 2 === 0 ? 'user' : 'assistant';
				mapping[`n${i}`] = {
					id: `n${i}`,
					parent: i === 0 ? 'root' : `n${i - 1}`,
					children: i < 9 ? [`n${i + 1}`] : [],
					message: {
						id: `n${i}`,
						author: { role },
						create_time: 1_700_000_000 + c * 100 + i,
						content: { content_type: 'text', parts: [`Message ${i} of conversation ${c}. `.repeat(20)] },
						metadata: role === 'assistant' ? { model_slug: 'gpt-4o' } : {},
						recipient: 'all'
					}
				};
			}
			return { id: `conv-${c}`, title: `Conversation ${c}`, create_time: 1_700_000_000 + c * 100, update_time: 1_700_000_000 + c * 100 + 9, current_node: 'n9', mapping };
		});
		const text = JSON.stringify(conversations);
		const started = performance.now();
		const p = await planImport(parseImportFile(text), { userId: 'ada', existing: new Set(), defaultModel: MODEL });
		const ms = performance.now() - started;
		console.log(`planImport: ${(text.length / 1e6).toFixed(1)} MB, 2,000 conversations × 10 messages in ${ms.toFixed(0)} ms`);
		expect(p.summary).toMatchObject({ conversations: 2_000, messages: 20_000, skipped: 0, warnings: [] });
		expect(p.mutations).toHaveLength(2_000 * 3);
	});
});
