import { isTerminal } from '../../domain/generation-state';
import { titleFrom } from '../../domain/conversation-title';
import type { ConversationRow, GenerationRow, MessageRow, Mutation, MutationArgs } from '../../domain/sync';

/**
 * The server's mutation rules (server/conversations, server/generations), in memory, for
 * memory-sync-server.ts. Keep them in step with the server: same outcomes, same reasons. Each
 * handler checks before it writes, so a rejected mutation leaves nothing but its rejection.
 * - A duplicate create (same id, same user) is acknowledged and changes nothing; another user's
 *   id is refused without saying whose it is.
 * - A missing (or someone else's) conversation is rejected; edits to a deleted one are
 *   acknowledged and change nothing: the tombstone wins.
 */

export class MutationRejected extends Error {}

const notFound = (what: string) => new MutationRejected(`That ${what} does not exist, or was deleted.`);

export interface MemoryUserRows {
	conversations: Map<string, ConversationRow>;
	messages: Map<string, MessageRow>;
	generations: Map<string, GenerationRow>;
}

export interface MutationContext {
	now: number;
	/** Stores a row under the next global version. */
	save(kind: keyof MemoryUserRows, row: ConversationRow | MessageRow | GenerationRow): void;
	/** Removes a row for good: it is no longer pulled by anyone (a deleted conversation's messages). */
	forget(kind: keyof MemoryUserRows, id: string): void;
	/** True when another user already has a row of this kind with this id (ids are global). */
	takenByOther(kind: keyof MemoryUserRows, id: string): boolean;
}

type Handler<N extends Mutation['name']> = (rows: MemoryUserRows, args: MutationArgs<N>, ctx: MutationContext) => void;

/** The caller's live conversation; null for a tombstone (the edit is moot); rejected when missing. */
function requireLive(rows: MemoryUserRows, id: string): ConversationRow | null {
	const c = rows.conversations.get(id);
	if (c === undefined) throw notFound('conversation');
	return c.deletedAt === null ? c : null;
}

/** A live message of that conversation. */
function findMessage(rows: MemoryUserRows, conversationId: string, id: string): MessageRow | undefined {
	const m = rows.messages.get(id);
	return m?.conversationId === conversationId && m.deletedAt === null ? m : undefined;
}

function update(rows: MemoryUserRows, ctx: MutationContext, id: string, patch: Partial<ConversationRow>): void {
	const c = requireLive(rows, id);
	if (c) ctx.save('conversations', { ...c, ...patch });
}

const field =
	<N extends Mutation['name']>(patch: (args: MutationArgs<N>) => Partial<ConversationRow>): Handler<N> =>
	(rows, args, ctx) =>
		update(rows, ctx, (args as { id: string }).id, patch(args));

const HANDLERS: { [N in Mutation['name']]: Handler<N> } = {
	'conversation.create': (rows, a, ctx) => {
		if (ctx.takenByOther('conversations', a.id)) throw new MutationRejected('That conversation id is taken. The conversation was not created.');
		if (rows.conversations.has(a.id)) return;
		ctx.save('conversations', {
			id: a.id,
			title: a.title,
			model: a.model,
			systemPrompt: a.systemPrompt,
			fallbackModels: a.fallbackModels,
			temperature: null,
			maxTokens: null,
			pinned: false,
			archived: false,
			activeLeafId: null,
			createdAt: a.createdAt,
			updatedAt: ctx.now,
			deletedAt: null,
			version: 0
		});
	},
	'conversation.rename': field((a) => ({ title: a.title })),
	'conversation.pin': field((a) => ({ pinned: a.pinned })),
	'conversation.archive': field((a) => ({ archived: a.archived })),
	'conversation.setModel': field((a) => ({ model: a.model })),
	'conversation.setSystemPrompt': field((a) => ({ systemPrompt: a.systemPrompt })),
	'conversation.setFallbackModels': field((a) => ({ fallbackModels: a.models })),
	'conversation.setParameters': field((a) => ({
		...(a.temperature !== undefined ? { temperature: a.temperature } : {}),
		...(a.maxTokens !== undefined ? { maxTokens: a.maxTokens } : {})
	})),
	'conversation.setActiveLeaf': (rows, a, ctx) => {
		if (!requireLive(rows, a.id)) return;
		if (!findMessage(rows, a.id, a.leafId)) throw notFound('message');
		update(rows, ctx, a.id, { activeLeafId: a.leafId });
	},
	// The tombstone forgets what the conversation said; its messages are removed, its replies stop.
	'conversation.delete': (rows, a, ctx) => {
		const c = requireLive(rows, a.id);
		if (!c) return;
		ctx.save('conversations', { ...c, deletedAt: ctx.now, updatedAt: ctx.now, title: '', systemPrompt: '', activeLeafId: null });
		for (const m of [...rows.messages.values()]) if (m.conversationId === c.id) ctx.forget('messages', m.id);
		for (const g of rows.generations.values()) {
			if (g.conversationId === c.id && !isTerminal(g.state)) ctx.save('generations', { ...g, state: 'cancelled', finishedAt: ctx.now });
		}
	},
	'message.create': (rows, a, ctx) => {
		if (ctx.takenByOther('messages', a.id)) throw new MutationRejected('That message id is taken. The message was not sent.');
		if (rows.messages.has(a.id)) return;
		const c = requireLive(rows, a.conversationId);
		if (!c) return;
		if (a.parentId !== null && !findMessage(rows, c.id, a.parentId)) throw notFound('message to reply under');
		ctx.save('messages', {
			id: a.id,
			conversationId: a.conversationId,
			parentId: a.parentId,
			role: 'user',
			content: a.content,
			status: 'complete',
			model: null,
			generationId: null,
			createdAt: a.createdAt,
			deletedAt: null,
			version: 0
		});
		ctx.save('conversations', { ...c, activeLeafId: a.id, updatedAt: ctx.now, title: c.title === '' ? titleFrom(a.content) : c.title });
	},
	// A message goes with every reply below it (text cleared, running ones stopped); a shown branch through it moves up.
	'message.delete': (rows, a, ctx) => {
		const m = rows.messages.get(a.id);
		if (m === undefined) throw notFound('message');
		const c = rows.conversations.get(m.conversationId);
		if (m.deletedAt !== null || c === undefined || c.deletedAt !== null) return;
		const doomed = subtree(rows.messages, m.id);
		for (const x of doomed) {
			const message = rows.messages.get(x) as MessageRow;
			ctx.save('messages', { ...message, deletedAt: ctx.now, content: '' });
			const reply = message.generationId === null ? undefined : rows.generations.get(message.generationId);
			if (reply && !isTerminal(reply.state)) ctx.save('generations', { ...reply, state: 'cancelled', finishedAt: ctx.now });
		}
		if (c.activeLeafId !== null && doomed.has(c.activeLeafId)) {
			ctx.save('conversations', { ...c, activeLeafId: m.parentId, updatedAt: ctx.now });
		}
	},
	'generation.request': (rows, a, ctx) => {
		if (ctx.takenByOther('generations', a.id)) throw new MutationRejected('That reply id is taken. No reply was started.');
		if (rows.generations.has(a.id)) return; // the same request seen twice runs once
		const c = requireLive(rows, a.conversationId);
		if (!c) return;
		const prompt = findMessage(rows, c.id, a.userMessageId);
		if (!prompt || prompt.role !== 'user') throw notFound('message to reply to');
		if (rows.messages.has(a.assistantMessageId) || ctx.takenByOther('messages', a.assistantMessageId)) {
			throw new MutationRejected('That reply id is taken. No reply was started.');
		}
		const models = [a.model ?? c.model, ...(a.fallbackModels ?? c.fallbackModels)];
		ctx.save('messages', {
			id: a.assistantMessageId,
			conversationId: c.id,
			parentId: a.userMessageId,
			role: 'assistant',
			content: '',
			status: 'streaming',
			model: models[0] ?? null,
			generationId: a.id,
			createdAt: Math.max(a.createdAt, prompt.createdAt),
			deletedAt: null,
			version: 0
		});
		ctx.save('generations', {
			id: a.id,
			conversationId: c.id,
			userMessageId: a.userMessageId,
			assistantMessageId: a.assistantMessageId,
			models,
			model: null,
			state: 'requested',
			failureReason: null,
			tokensIn: null,
			tokensOut: null,
			costNanoUsd: null,
			costSource: null,
			createdAt: ctx.now,
			startedAt: null,
			firstTokenAt: null,
			finishedAt: null,
			version: 0
		});
		ctx.save('conversations', { ...c, activeLeafId: a.assistantMessageId, updatedAt: ctx.now });
	},
	'generation.cancel': (rows, a, ctx) => {
		const g = rows.generations.get(a.id);
		if (g === undefined) throw notFound('reply');
		if (isTerminal(g.state)) return;
		ctx.save('generations', { ...g, state: 'cancelled', finishedAt: ctx.now });
		const reply = rows.messages.get(g.assistantMessageId);
		if (reply?.status === 'streaming') ctx.save('messages', { ...reply, status: 'cancelled' });
	},
	'conversation.import': (rows, a, ctx) => {
		if (ctx.takenByOther('conversations', a.id)) throw new MutationRejected('That conversation id is taken. The conversation was not imported.');
		if (rows.conversations.has(a.id)) return;
		ctx.save('conversations', {
			id: a.id,
			title: a.title,
			model: a.model,
			systemPrompt: a.systemPrompt,
			fallbackModels: [],
			temperature: null,
			maxTokens: null,
			pinned: false,
			archived: false,
			activeLeafId: null,
			createdAt: a.createdAt,
			updatedAt: a.updatedAt,
			deletedAt: null,
			version: 0
		});
	},
	// Messages already stored are skipped; a parent must be stored or earlier in the batch.
	'message.import': (rows, a, ctx) => {
		const c = requireLive(rows, a.conversationId);
		if (!c) return;
		const known = new Set<string>();
		const gone = new Set<string>();
		for (const m of a.messages) {
			if (ctx.takenByOther('messages', m.id)) throw new MutationRejected('A message id in this import is taken. Nothing was imported from this batch.');
			const existing = rows.messages.get(m.id);
			if (existing) {
				(existing.deletedAt === null ? known : gone).add(m.id);
				continue;
			}
			const parent = m.parentId === null ? undefined : rows.messages.get(m.parentId);
			if (m.parentId !== null && (gone.has(m.parentId) || (parent && parent.conversationId === c.id && parent.deletedAt !== null))) {
				gone.add(m.id);
				continue;
			}
			if (m.parentId !== null && !known.has(m.parentId) && !findMessage(rows, c.id, m.parentId)) {
				throw new MutationRejected('An imported message answers a message that is not in the import. Nothing was imported from this batch.');
			}
			ctx.save('messages', { ...m, conversationId: c.id, status: 'complete', generationId: null, deletedAt: null, version: 0 });
			known.add(m.id);
		}
	}
};

/** The ids of a message and every message below it (a cycle in bad data cannot loop). */
function subtree(messages: ReadonlyMap<string, MessageRow>, rootId: string): Set<string> {
	const children = new Map<string, string[]>();
	for (const m of messages.values()) if (m.parentId !== null) children.set(m.parentId, [...(children.get(m.parentId) ?? []), m.id]);
	const found = new Set<string>();
	const stack = [rootId];
	for (let id = stack.pop(); id !== undefined; id = stack.pop()) {
		if (found.has(id)) continue;
		found.add(id);
		stack.push(...(children.get(id) ?? []));
	}
	return found;
}

export function applyMutation(rows: MemoryUserRows, mutation: Mutation, ctx: MutationContext): void {
	// The union of handlers cannot be called with the union of mutations without this cast.
	(HANDLERS[mutation.name] as Handler<Mutation['name']>)(rows, mutation.args, ctx);
}
