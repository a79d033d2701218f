import type { ImportedConversation, ImportedMessage, ImportTally } from './imported';

/**
 * ChatGPT's data export (conversations.json): an array of conversations, each a tree of nodes
 * (`mapping`), its shown branch ending at `current_node`. The format is undocumented and has
 * changed over the years, so it is read leniently: a missing or odd field becomes null / empty.
 */
export interface ChatGptConversation {
	id: string;
	title: string;
	/** Epoch ms (the file has seconds), or null. */
	createTime: number | null;
	updateTime: number | null;
	currentNode: string | null;
	defaultModelSlug: string | null;
	archived: boolean;
	nodes: ReadonlyMap<string, ChatGptNode>;
}

export interface ChatGptNode {
	id: string;
	parent: string | null;
	message: ChatGptMessage | null;
}

export interface ChatGptMessage {
	/** user, assistant, system, tool. */
	role: string;
	createTime: number | null;
	contentType: string;
	/** The `content` object as in the file: its fields depend on contentType. */
	content: Readonly<Record<string, unknown>>;
	/** Who an assistant message is for: 'all' (the person) or a tool ('python', 'web', 'dalle.text2im', …). */
	recipient: string;
	hidden: boolean;
	/** Custom instructions and other system messages a person wrote. */
	userSystemMessage: boolean;
	modelSlug: string | null;
}

/** The model named on assistant messages that say nothing about theirs (nor does their conversation). */
export const CHATGPT_FALLBACK_MODEL = 'chatgpt';
/** What an image (or another attachment) of a message becomes: it is not in conversations.json. */
export const IMAGE_NOTE = '*[Image not imported]*';

/** Whether a parsed JSON value looks like one conversation of a ChatGPT export. */
export function isChatGptConversation(value: unknown): boolean {
	return isRecord(value) && isRecord(value.mapping);
}

/** A ChatGPT conversation from its JSON, or null when it is not one. */
export function readChatGptConversation(value: unknown, index: number): ChatGptConversation | null {
	if (!isRecord(value) || !isRecord(value.mapping)) return null;
	const nodes = new Map<string, ChatGptNode>();
	// Keyed by node id (`parent` names keys), as in every export seen.
	for (const [id, raw] of Object.entries(value.mapping)) {
		if (isRecord(raw)) nodes.set(id, { id, parent: str(raw.parent), message: readMessage(raw.message) });
	}
	const createTime = epochMs(value.create_time);
	const title = str(value.title) ?? '';
	return {
		// Stable across exports of the same account: the id, else what identifies it in the file.
		id: str(value.id) ?? str(value.conversation_id) ?? `untitled:${createTime ?? index}:${title}`,
		title,
		createTime,
		updateTime: epochMs(value.update_time),
		currentNode: str(value.current_node),
		defaultModelSlug: str(value.default_model_slug),
		archived: value.is_archived === true,
		nodes
	};
}

function readMessage(raw: unknown): ChatGptMessage | null {
	if (!isRecord(raw)) return null;
	const author = isRecord(raw.author) ? raw.author : {};
	const content = isRecord(raw.content) ? raw.content : {};
	const metadata = isRecord(raw.metadata) ? raw.metadata : {};
	return {
		role: str(author.role) ?? 'unknown',
		createTime: epochMs(raw.create_time),
		contentType: str(content.content_type) ?? 'text',
		content,
		recipient: str(raw.recipient) ?? 'all',
		hidden: metadata.is_visually_hidden_from_conversation === true,
		userSystemMessage: metadata.is_user_system_message === true,
		modelSlug: str(metadata.model_slug)
	};
}

/** The kinds of node kept: a tool step is folded into the reply around it. */
type Kind = 'user' | 'assistant' | 'system' | 'tool';
interface Piece {
	kind: Kind;
	text: string;
	model: string | null;
	createTime: number | null;
}

/** Assistant content that is the model's working, not its answer. */
const WORKING_CONTENT = new Set(['thoughts', 'reasoning_recap', 'model_editable_context']);

/**
 * The mapping rules, for one conversation:
 * - Kept: user messages, assistant messages to the person (recipient 'all'), and system messages a
 *   person wrote (custom instructions, `is_user_system_message`: role 'system', even when hidden).
 * - Left out: empty nodes, hidden nodes, other system messages, reasoning (`thoughts`,
 *   `reasoning_recap`), memory updates, and tool traffic other than code: web searches and their
 *   results (`tether_*`), image-generation prompts, tool messages in text.
 * - Folded: code the assistant ran (`code` to 'python') becomes a fenced block in its language, its
 *   output (`execution_output`) a fenced block, and images it made a note; consecutive assistant
 *   steps with no branch between them become one assistant message, as ChatGPT shows them as one
 *   turn. The message takes the id of the first step; a step that branches stays on its own.
 * - Images (and other attachments) in parts become IMAGE_NOTE; audio parts become their transcript.
 * - Empty messages are left out. Every kept node hangs under its nearest kept ancestor, so the
 *   tree (edits and regenerations are siblings) is kept.
 * - Active leaf: the nearest kept node at or above `current_node`.
 * - Model: `metadata.model_slug` of the reply's last step, else the conversation's
 *   `default_model_slug`, else CHATGPT_FALLBACK_MODEL. The conversation itself takes
 *   `defaultModel` (the person's): ChatGPT's slugs are not models this app can ask.
 * - Times: seconds → ms. A missing time is the parent's, for a first message the conversation's;
 *   a message is never older than its parent.
 */
export function convertChatGptConversation(
	conversation: ChatGptConversation,
	defaultModel: string,
	tally: ImportTally,
	now: number
): ImportedConversation {
	const { nodes } = conversation;
	const pieces = new Map<string, Piece>();
	for (const node of nodes.values()) {
		if (node.message === null) continue;
		const piece = classify(node.message, tally);
		if (piece !== null && piece.text.trim() !== '') pieces.set(node.id, piece);
	}

	// Kept parents, kept children.
	const keptParent = new Map<string, string | null>();
	const children = new Map<string | null, string[]>();
	for (const id of pieces.keys()) {
		const parent = nearestKept(nodes, pieces, nodes.get(id)?.parent ?? null, id, tally);
		keptParent.set(id, parent);
		const list = children.get(parent);
		if (list) list.push(id);
		else children.set(parent, [id]);
	}

	// Parents first, from each first message down: times and folding need the parent done.
	const baseTime = conversation.createTime ?? conversation.updateTime ?? now;
	const times = new Map<string, number>();
	const groupOf = new Map<string, Group>();
	const groups: Group[] = [];
	const stack = [...(children.get(null) ?? [])].reverse();
	for (let id = stack.pop(); id !== undefined; id = stack.pop()) {
		const piece = pieces.get(id) as Piece;
		const parent = keptParent.get(id) ?? null;
		const parentTime = parent === null ? null : (times.get(parent) ?? null);
		const time = Math.max(piece.createTime ?? parentTime ?? baseTime, parentTime ?? 0);
		times.set(id, time);
		const parentGroup = parent === null ? undefined : groupOf.get(parent);
		const assistantSide = piece.kind === 'assistant' || piece.kind === 'tool';
		if (parentGroup !== undefined && assistantSide && parentGroup.role === 'assistant' && children.get(parent)?.length === 1) {
			parentGroup.parts.push(piece.text);
			if (piece.kind === 'assistant' && piece.model !== null) parentGroup.model = piece.model;
			groupOf.set(id, parentGroup);
		} else {
			const group: Group = {
				id,
				parentGroupId: parentGroup?.id ?? null,
				role: assistantSide ? 'assistant' : piece.kind === 'system' ? 'system' : 'user',
				parts: [piece.text],
				model: piece.kind === 'assistant' ? piece.model : null,
				createdAt: time
			};
			groups.push(group);
			groupOf.set(id, group);
		}
		const below = children.get(id);
		if (below) for (let i = below.length - 1; i >= 0; i--) stack.push(below[i] as string);
	}
	// Nodes never reached hang in a loop of parents: left out.
	tally.cycles += pieces.size - times.size;

	const replyModel = conversation.defaultModelSlug ?? CHATGPT_FALLBACK_MODEL;
	const messages: ImportedMessage[] = groups.map((g) => ({
		sourceId: g.id,
		parentSourceId: g.parentGroupId,
		role: g.role,
		content: g.parts.join('\n\n'),
		model: g.role === 'assistant' ? (g.model ?? replyModel) : null,
		createdAt: g.createdAt
	}));

	let activeLeafSourceId: string | null = null;
	const leafNode = conversation.currentNode === null ? null : nearestKept(nodes, pieces, conversation.currentNode, null, null);
	if (leafNode !== null) activeLeafSourceId = groupOf.get(leafNode)?.id ?? null;

	const newest = messages.reduce((max, m) => Math.max(max, m.createdAt), 0);
	const createdAt = conversation.createTime ?? messages[0]?.createdAt ?? baseTime;
	return {
		sourceId: conversation.id,
		title: conversation.title,
		model: defaultModel,
		systemPrompt: '',
		fallbackModels: [],
		temperature: null,
		maxTokens: null,
		pinned: false,
		archived: conversation.archived,
		createdAt,
		updatedAt: Math.max(conversation.updateTime ?? newest, createdAt),
		activeLeafSourceId,
		messages
	};
}

interface Group {
	id: string;
	parentGroupId: string | null;
	role: 'user' | 'assistant' | 'system';
	parts: string[];
	model: string | null;
	createdAt: number;
}

/**
 * The nearest kept node at or above `from`, or null at the top. Stops at a loop; `self` (the node
 * whose parent is sought) counts as a loop too, so a node is never its own parent.
 */
function nearestKept(
	nodes: ReadonlyMap<string, ChatGptNode>,
	pieces: ReadonlyMap<string, Piece>,
	from: string | null,
	self: string | null,
	tally: ImportTally | null
): string | null {
	const seen = new Set<string>(self === null ? [] : [self]);
	for (let at = from; at !== null; ) {
		if (seen.has(at)) return null;
		if (pieces.has(at)) return at;
		seen.add(at);
		const node = nodes.get(at);
		if (node === undefined) {
			if (tally !== null) tally.orphans++; // the parent is not in the file
			return null;
		}
		at = node.parent;
	}
	return null;
}

function classify(message: ChatGptMessage, tally: ImportTally): Piece | null {
	const piece = (kind: Kind, text: string): Piece => ({ kind, text, model: message.modelSlug, createTime: message.createTime });
	if (message.hidden && !message.userSystemMessage) return null;
	switch (message.role) {
		case 'system':
			return message.userSystemMessage ? piece('system', textOf(message, tally)) : null;
		case 'user':
			return piece(message.userSystemMessage ? 'system' : 'user', textOf(message, tally));
		case 'assistant':
			if (WORKING_CONTENT.has(message.contentType)) break;
			if (message.recipient === 'all') return piece('assistant', textOf(message, tally));
			if (message.recipient === 'python' && message.contentType === 'code') return piece('tool', textOf(message, tally));
			break;
		case 'tool':
			if (message.contentType === 'execution_output') return piece('tool', textOf(message, tally));
			if (message.contentType === 'multimodal_text') {
				const images = partsOf(message.content).filter(isImage).length;
				if (images > 0) {
					tally.images += images;
					return piece('tool', Array<string>(images).fill(IMAGE_NOTE).join('\n\n'));
				}
			}
			break;
	}
	tally.leftOut++;
	return null;
}

function textOf(message: ChatGptMessage, tally: ImportTally): string {
	const { content } = message;
	switch (message.contentType) {
		case 'text':
		case 'multimodal_text':
			return partsText(partsOf(content), tally);
		case 'code':
			return fenced(str(content.text) ?? '', str(content.language) ?? '');
		case 'execution_output':
			return fenced(str(content.text) ?? '', 'text');
		case 'user_editable_context':
			return [str(content.user_profile), str(content.user_instructions)].filter((s): s is string => s !== null && s.trim() !== '').join('\n\n');
		default:
			if (Array.isArray(content.parts)) return partsText(content.parts, tally);
			return str(content.text) ?? '';
	}
}

function partsOf(content: Readonly<Record<string, unknown>>): unknown[] {
	return Array.isArray(content.parts) ? content.parts : [];
}

function isImage(part: unknown): boolean {
	return isRecord(part) && part.content_type === 'image_asset_pointer';
}

/** Strings as they are; images become a note; audio its transcript; other attachments are dropped. */
function partsText(parts: readonly unknown[], tally: ImportTally): string {
	const out: string[] = [];
	for (const part of parts) {
		if (typeof part === 'string') {
			if (part.trim() !== '') out.push(part);
		} else if (isImage(part)) {
			tally.images++;
			out.push(IMAGE_NOTE);
		} else if (isRecord(part) && typeof part.text === 'string' && part.text.trim() !== '') {
			out.push(part.text); // audio_transcription and the like
		}
	}
	return out.join('\n\n');
}

/** A fenced code block that its own text cannot close: the fence is longer than any backtick run inside. */
export function fenced(text: string, language: string): string {
	if (text.trim() === '') return '';
	let longest = 0;
	for (const run of text.matchAll(/`+/g)) longest = Math.max(longest, run[0].length);
	const fence = '`'.repeat(Math.max(3, longest + 1));
	const info = language === 'unknown' ? '' : language.replace(/[`\s]/g, '');
	return `${fence}${info}\n${text.replace(/\n+$/, '')}\n${fence}`;
}

function isRecord(value: unknown): value is Record<string, unknown> {
	return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function str(value: unknown): string | null {
	return typeof value === 'string' && value !== '' ? value : null;
}

/** ChatGPT writes float seconds; a value too large for seconds is taken as ms already. */
function epochMs(value: unknown): number | null {
	if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) return null;
	return Math.round(value > 1e11 ? value : value * 1000);
}
