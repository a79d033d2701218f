import { titleFrom } from '../../domain/conversation-title';
import {
	CONVERSATION_TITLE_MAX,
	IMPORT_BATCH_MAX,
	IMPORTED_CONTENT_MAX,
	MUTATION_ARGS,
	SYSTEM_PROMPT_MAX,
	type MutationArgs,
	type MutationName
} from '../../domain/sync';
import { latestLeaf } from '../store/branch';
import { convertChatGptConversation, IMAGE_NOTE, type ChatGptConversation } from './chatgpt';
import { deriveId, messageKey, type ImportSource } from './derive-id';
import { emptyTally, type ImportedConversation, type ImportedMessage, type ImportTally } from './imported';
import type { ParsedImport } from './parse';
import type { PhosphorExportConversation } from './phosphor-format';

export interface PlanOptions {
	/** The signed-in user: part of every derived id. */
	userId: string;
	/**
	 * Conversation ids already in this user's store, pulled or queued, deleted ones included
	 * (readExistingConversationIds). Those conversations are left out whole.
	 */
	existing: ReadonlySet<string>;
	/** The model an imported ChatGPT conversation continues with (ChatGPT's slugs are not this app's models). */
	defaultModel: string;
	/** Stands in for times a file leaves out entirely. Default: Date.now(). */
	now?: number;
}

/** One mutation to enqueue, its arguments already checked against the mutation's schema. */
export type PlannedMutation = { [N in MutationName]: { name: N; args: MutationArgs<N> } }[MutationName];

export interface PlannedConversation {
	/** The id it takes here (derived). */
	id: string;
	/** Its id in the file. */
	sourceId: string;
	title: string;
	messages: number;
	/** conversation.import, message.import batches (parents first), then the settings and the active leaf. */
	mutations: PlannedMutation[];
}

/** What the UI shows before importing. */
export interface ImportSummary {
	source: ImportSource;
	/** Conversations to import. */
	conversations: number;
	/** Messages to import, over all of them. */
	messages: number;
	/** Conversations left out: already in this store (imported before, or this account's own), or repeated in the file. */
	skipped: number;
	/** What changed or was left out on the way in, for the person. */
	warnings: string[];
}

export interface ImportPlan {
	summary: ImportSummary;
	/** Oldest first (by last update), so that the most recent ends on top of the list. */
	conversations: PlannedConversation[];
	/** Every conversation's mutations, in order: what runImport enqueues. */
	mutations: PlannedMutation[];
}

/**
 * A rough upper bound of the bytes one message.import's messages take in a push: UTF-8 takes at most
 * three bytes per UTF-16 unit, plus the fields around the content. A batch stays under
 * BATCH_BYTES_MAX unless one message alone is larger.
 */
const messageBytes = (m: { content: string }) => m.content.length * 3 + 300;
export const BATCH_BYTES_MAX = 1024 * 1024;
const TRUNCATION_NOTE = (cut: number) => `\n\n*[Shortened on import: ${cut.toLocaleString('en-US')} characters left out.]*`;

/**
 * What importing `parsed` into this user's store does, as mutations: pure apart from hashing ids
 * (Web Crypto is asynchronous). Deterministic for the same file, user and `existing`. Per
 * conversation: conversation.import; message.import in batches of at most IMPORT_BATCH_MAX
 * (and about BATCH_BYTES_MAX), parents before children, older siblings first; then, from a Phosphor
 * export, its fallback models, parameters, pin and archive; a ChatGPT archive; and last
 * conversation.setActiveLeaf to the leaf of the branch that was shown.
 *
 * Ids: deriveId(userId, source, id in the file), message ids scoped by their conversation. A
 * conversation whose derived id is in `existing` was imported before and is left out whole, as is
 * a Phosphor conversation whose own id is there (an export of this same account).
 */
export async function planImport(parsed: ParsedImport, options: PlanOptions): Promise<ImportPlan> {
	const tally = emptyTally();
	const warnings: string[] = [];
	const now = options.now ?? Date.now();
	const taken = new Set<string>();
	let skipped = 0;
	const planned: { conversation: PlannedConversation; updatedAt: number }[] = [];

	const sources: { sourceId: string; own: boolean; convert: () => ImportedConversation }[] =
		parsed.source === 'chatgpt'
			? parsed.conversations.map((c: ChatGptConversation) => ({
					sourceId: c.id,
					own: false,
					convert: () => convertChatGptConversation(c, options.defaultModel, tally, now)
				}))
			: parsed.data.conversations.map((c) => ({ sourceId: c.id, own: options.existing.has(c.id), convert: () => fromPhosphor(c) }));
	if (parsed.source === 'chatgpt') tally.invalidEntries += parsed.invalidEntries;

	for (const source of sources) {
		const id = await deriveId(options.userId, parsed.source, source.sourceId);
		if (source.own || options.existing.has(id) || taken.has(id)) {
			skipped++;
			continue;
		}
		taken.add(id);
		const conversation = source.convert();
		const result = await planConversation(conversation, id, parsed.source, options.userId, tally);
		if (typeof result === 'string') {
			warnings.push(result);
			continue;
		}
		planned.push({ conversation: result, updatedAt: conversation.updatedAt });
	}

	// Stable: equal times keep the file's order.
	const conversations = planned.sort((a, b) => a.updatedAt - b.updatedAt).map((p) => p.conversation);
	return {
		summary: {
			source: parsed.source,
			conversations: conversations.length,
			messages: conversations.reduce((sum, c) => sum + c.messages, 0),
			skipped,
			warnings: [...tallyWarnings(tally, parsed.source), ...limitList(warnings)]
		},
		conversations,
		mutations: conversations.flatMap((c) => c.mutations)
	};
}

function fromPhosphor(c: PhosphorExportConversation): ImportedConversation {
	return {
		sourceId: c.id,
		title: c.title,
		model: c.model,
		systemPrompt: c.systemPrompt,
		fallbackModels: c.fallbackModels,
		temperature: c.temperature,
		maxTokens: c.maxTokens,
		pinned: c.pinned,
		archived: c.archived,
		createdAt: c.createdAt,
		updatedAt: c.updatedAt,
		activeLeafSourceId: c.activeLeafId,
		messages: c.messages.map((m) => ({ sourceId: m.id, parentSourceId: m.parentId, role: m.role, content: m.content, model: m.model, createdAt: m.createdAt }))
	};
}

type ImportMessageArgs = MutationArgs<'message.import'>['messages'][number];

/** One conversation's mutations, or why it cannot be imported. */
async function planConversation(
	conversation: ImportedConversation,
	id: string,
	source: ImportSource,
	userId: string,
	tally: ImportTally
): Promise<PlannedConversation | string> {
	const { ordered, parentOf, nearest } = orderMessages(conversation.messages, tally);
	const ids = new Map<string, string>(
		await Promise.all(ordered.map(async (m) => [m.sourceId, await deriveId(userId, source, messageKey(conversation.sourceId, m.sourceId))] as const))
	);
	const messages: ImportMessageArgs[] = ordered.map((m) => {
		const parent = parentOf(m.sourceId);
		return {
			id: ids.get(m.sourceId) as string,
			parentId: parent === null ? null : (ids.get(parent) as string),
			role: m.role,
			content: truncate(m.content, tally),
			model: modelLabel(m.model),
			createdAt: m.createdAt
		};
	});

	let leafId: string | null = null;
	if (messages.length > 0) {
		const shown = conversation.activeLeafSourceId === null ? null : nearest(conversation.activeLeafSourceId);
		// As the UI does without one: the newest message's newest descendant.
		const newest = messages.reduce((a, b) => (b.createdAt > a.createdAt || (b.createdAt === a.createdAt && b.id > a.id) ? b : a));
		leafId = shown === null ? latestLeaf(messages, newest.id) : (ids.get(shown) as string);
	}

	let title = cut(conversation.title.trim(), CONVERSATION_TITLE_MAX).trim();
	if (title === '') title = cut(titleFrom(firstUserMessage(messages, leafId)?.content ?? ''), CONVERSATION_TITLE_MAX).trim();

	const steps: { name: MutationName; args: unknown }[] = [
		{
			name: 'conversation.import',
			args: {
				id,
				title,
				model: conversation.model,
				systemPrompt: cut(conversation.systemPrompt, SYSTEM_PROMPT_MAX),
				createdAt: conversation.createdAt,
				updatedAt: Math.max(conversation.updatedAt, conversation.createdAt)
			}
		},
		...batches(messages).map((batch) => ({ name: 'message.import' as const, args: { conversationId: id, messages: batch } }))
	];
	if (conversation.fallbackModels.length > 0) steps.push({ name: 'conversation.setFallbackModels', args: { id, models: conversation.fallbackModels } });
	if (conversation.temperature !== null || conversation.maxTokens !== null) {
		steps.push({ name: 'conversation.setParameters', args: { id, temperature: conversation.temperature, maxTokens: conversation.maxTokens } });
	}
	if (conversation.pinned) steps.push({ name: 'conversation.pin', args: { id, pinned: true } });
	if (conversation.archived) steps.push({ name: 'conversation.archive', args: { id, archived: true } });
	if (leafId !== null) steps.push({ name: 'conversation.setActiveLeaf', args: { id, leafId } });

	// Checked here, so runImport's enqueue cannot fail half way through a conversation.
	const mutations: PlannedMutation[] = [];
	for (const { name, args } of steps) {
		const result = MUTATION_ARGS[name].safeParse(args);
		if (!result.success) return `“${title || 'Untitled conversation'}” was not imported: ${result.error.issues[0]?.message ?? 'invalid data'}.`;
		mutations.push({ name, args: result.data } as PlannedMutation);
	}
	return { id, sourceId: conversation.sourceId, title, messages: messages.length, mutations };
}

interface Ordered {
	/** The messages to import, parents before children. */
	ordered: ImportedMessage[];
	/** The parent an imported message takes: its nearest imported ancestor. */
	parentOf: (sourceId: string) => string | null;
	/** `sourceId` when imported, else its nearest imported ancestor (null: none, or unknown). */
	nearest: (sourceId: string) => string | null;
}

/**
 * The messages to import (non-empty, the first of each id), parents before children: by time, a
 * message whose parent comes later waiting for it. Messages in a loop of parents never come.
 */
function orderMessages(all: readonly ImportedMessage[], tally: ImportTally): Ordered {
	const byId = new Map<string, ImportedMessage>();
	for (const m of all) {
		if (byId.has(m.sourceId)) tally.duplicates++;
		else byId.set(m.sourceId, m);
	}
	const kept = [...byId.values()].filter((m) => m.content.trim() !== '');
	const parentOf = parentResolver(byId, new Set(kept.map((m) => m.sourceId)), tally);
	const byTime = kept.map((m, index) => ({ m, index })).sort((a, b) => a.m.createdAt - b.m.createdAt || a.index - b.index);
	const waiting = new Map<string, ImportedMessage[]>();
	const done = new Set<string>();
	const ordered: ImportedMessage[] = [];
	for (const { m } of byTime) {
		const parent = parentOf(m.sourceId);
		if (parent !== null && !done.has(parent)) {
			const list = waiting.get(parent);
			if (list) list.push(m);
			else waiting.set(parent, [m]);
			continue;
		}
		// m, then whatever waited for it, depth first (a stack: a long chain must not recurse).
		const stack = [m];
		for (let next = stack.pop(); next !== undefined; next = stack.pop()) {
			ordered.push(next);
			done.add(next.sourceId);
			const below = waiting.get(next.sourceId);
			if (below) {
				waiting.delete(next.sourceId);
				for (let i = below.length - 1; i >= 0; i--) stack.push(below[i] as ImportedMessage);
			}
		}
	}
	tally.cycles += kept.length - ordered.length;
	// Every imported message's parent was imported before it: only loops are missing, and they have no imported members.
	const nearestDone = parentResolver(byId, done, null);
	return { ordered, parentOf, nearest: (sourceId) => (done.has(sourceId) ? sourceId : byId.has(sourceId) ? nearestDone(sourceId) : null) };
}

/**
 * The nearest ancestor in `kept` of each message: a left-out message's children move up to its
 * parent. A parent missing from the file, or a loop, ends the walk: the message becomes a first one.
 */
function parentResolver(
	byId: ReadonlyMap<string, ImportedMessage>,
	kept: ReadonlySet<string>,
	tally: ImportTally | null
): (sourceId: string) => string | null {
	const memo = new Map<string, string | null>();
	return (sourceId) => {
		const known = memo.get(sourceId);
		if (known !== undefined) return known;
		const seen = new Set([sourceId]);
		let at = byId.get(sourceId)?.parentSourceId ?? null;
		while (at !== null && !kept.has(at)) {
			const message = byId.get(at);
			if (message === undefined || seen.has(at)) break;
			seen.add(at);
			at = message.parentSourceId;
		}
		let parent: string | null = at;
		if (at !== null && !byId.has(at)) {
			if (tally !== null) tally.orphans++;
			parent = null;
		} else if (at !== null && (!kept.has(at) || at === sourceId)) {
			parent = null; // a loop through left-out messages
		}
		memo.set(sourceId, parent);
		return parent;
	};
}

function firstUserMessage(messages: readonly ImportMessageArgs[], leafId: string | null): ImportMessageArgs | undefined {
	const byId = new Map(messages.map((m) => [m.id, m]));
	let first: ImportMessageArgs | undefined;
	const seen = new Set<string>();
	for (let at = leafId === null ? undefined : byId.get(leafId); at !== undefined && !seen.has(at.id); at = at.parentId === null ? undefined : byId.get(at.parentId)) {
		seen.add(at.id);
		if (at.role === 'user') first = at;
	}
	return first ?? messages.find((m) => m.role === 'user');
}

/** Consecutive runs of at most IMPORT_BATCH_MAX messages and about BATCH_BYTES_MAX. */
function batches(messages: readonly ImportMessageArgs[]): ImportMessageArgs[][] {
	const out: ImportMessageArgs[][] = [];
	let batch: ImportMessageArgs[] = [];
	let bytes = 0;
	for (const m of messages) {
		const size = messageBytes(m);
		if (batch.length === IMPORT_BATCH_MAX || (batch.length > 0 && bytes + size > BATCH_BYTES_MAX)) {
			out.push(batch);
			batch = [];
			bytes = 0;
		}
		batch.push(m);
		bytes += size;
	}
	if (batch.length > 0) out.push(batch);
	return out;
}

function truncate(content: string, tally: ImportTally): string {
	if (content.length <= IMPORTED_CONTENT_MAX) return content;
	tally.truncated++;
	// The note's length depends on the number it states: allow for the longest.
	const room = IMPORTED_CONTENT_MAX - TRUNCATION_NOTE(content.length).length;
	const kept = cut(content, room);
	return kept + TRUNCATION_NOTE(content.length - kept.length);
}

/** The first `max` UTF-16 units of `text`, without splitting a surrogate pair. */
function cut(text: string, max: number): string {
	if (text.length <= max) return text;
	const code = text.charCodeAt(max - 1);
	return text.slice(0, code >= 0xd800 && code <= 0xdbff ? max - 1 : max);
}

/** A model name as a message label (ModelId: 1–200 characters), or null. */
function modelLabel(model: string | null): string | null {
	const label = model?.trim() ?? '';
	return label === '' ? null : cut(label, 200);
}

function tallyWarnings(tally: ImportTally, source: ImportSource): string[] {
	const n = (count: number, one: string, many: string) => `${count.toLocaleString('en-US')} ${count === 1 ? one : many}`;
	const out: string[] = [];
	if (tally.invalidEntries > 0) out.push(`${n(tally.invalidEntries, 'entry', 'entries')} of the file ${tally.invalidEntries === 1 ? 'is' : 'are'} not a conversation and ${tally.invalidEntries === 1 ? 'was' : 'were'} left out.`);
	if (tally.images > 0) out.push(`${n(tally.images, 'image is', 'images are')} not in the export file; each is marked ${IMAGE_NOTE}.`);
	if (tally.leftOut > 0 && source === 'chatgpt') {
		out.push(`${n(tally.leftOut, 'tool or reasoning step was', 'tool or reasoning steps were')} left out (web searches, image prompts, memory updates, reasoning). Code ChatGPT ran and its output are kept in its replies.`);
	}
	if (tally.truncated > 0) out.push(`${n(tally.truncated, 'message was', 'messages were')} longer than ${IMPORTED_CONTENT_MAX.toLocaleString('en-US')} characters and ${tally.truncated === 1 ? 'was' : 'were'} shortened.`);
	if (tally.orphans > 0) out.push(`${n(tally.orphans, 'message answers', 'messages answer')} a message missing from the file and now start${tally.orphans === 1 ? 's' : ''} a new branch.`);
	if (tally.cycles > 0) out.push(`${n(tally.cycles, 'message was', 'messages were')} left out: ${tally.cycles === 1 ? 'it is' : 'they are'} in, or under, a loop of replies.`);
	if (tally.duplicates > 0) out.push(`${n(tally.duplicates, 'message was', 'messages were')} left out: ${tally.duplicates === 1 ? 'its id repeats' : 'their ids repeat'} an earlier one.`);
	return out;
}

const LIST_MAX = 5;

function limitList(items: string[]): string[] {
	if (items.length <= LIST_MAX) return items;
	return [...items.slice(0, LIST_MAX), `… and ${items.length - LIST_MAX} more conversations were not imported.`];
}
