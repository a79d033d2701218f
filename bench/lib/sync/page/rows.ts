import { newId } from '../../../../src/lib/domain/ids';
import { PULL_PAGE_ROWS, type ConversationRow, type MessageRow, type PullResponse } from '../../../../src/lib/domain/sync';

/**
 * Rows as the server sends them: every field set as a real history has it, ids from newId(),
 * text that differs from message to message (a repeated string would flatter any store that
 * dedupes or compresses), versions increasing in pull order.
 */

const WORDS = (
	'the of and to in is that for it as with was on be at by this from or have an they which you one had ' +
	'function return const value model token stream latency cursor version table index query server client ' +
	'sync device offline message reply conversation branch draft budget ledger commit durable page row'
).split(' ');

/** A small seeded PRNG (mulberry32): the same rows every round and every run. */
export function prng(seed: number): () => number {
	let a = seed >>> 0;
	return () => {
		a = (a + 0x6d2b79f5) >>> 0;
		let t = a;
		t = Math.imul(t ^ (t >>> 15), t | 1);
		t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
		return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
	};
}

export function text(random: () => number, chars: number): string {
	let out = '';
	while (out.length < chars) out += `${WORDS[Math.floor(random() * WORDS.length)]}${random() < 0.08 ? '. ' : ' '}`;
	return out.slice(0, chars);
}

export const MODEL = 'openai/gpt-4o-mini';
const T0 = 1_760_000_000_000;

export interface History {
	conversations: ConversationRow[];
	/** In pull (version) order: each conversation's messages in turn, user then assistant. */
	messages: MessageRow[];
}

/** `conversationCount` conversations of `perConversation` messages, alternating user and assistant, each a reply to the one before. */
export function history(conversationCount: number, perConversation: number, contentChars: number, seed = 1): History {
	const random = prng(seed);
	let version = 0;
	const conversations: ConversationRow[] = [];
	const messages: MessageRow[] = [];
	for (let c = 0; c < conversationCount; c++) {
		const conversationId = newId();
		const createdAt = T0 + c * 3_600_000;
		let parentId: string | null = null;
		for (let i = 0; i < perConversation; i++) {
			const id = newId();
			const assistant = i % 2 === 1;
			messages.push({
				id,
				conversationId,
				parentId,
				role: assistant ? 'assistant' : 'user',
				content: text(random, contentChars),
				status: 'complete',
				model: assistant ? MODEL : null,
				generationId: assistant ? newId() : null,
				createdAt: createdAt + i * 20_000,
				deletedAt: null,
				version: ++version
			});
			parentId = id;
		}
		conversations.push({
			id: conversationId,
			title: text(random, 40).trim(),
			model: MODEL,
			systemPrompt: c % 5 === 0 ? text(random, 200) : '',
			fallbackModels: c % 3 === 0 ? ['anthropic/claude-3.5-haiku'] : [],
			temperature: c % 4 === 0 ? 0.7 : null,
			maxTokens: null,
			pinned: c % 10 === 0,
			archived: false,
			activeLeafId: parentId,
			createdAt,
			updatedAt: createdAt + perConversation * 20_000,
			deletedAt: null,
			version: ++version
		});
	}
	return { conversations, messages };
}

/** Messages cut into pull pages of PULL_PAGE_ROWS, each with the cursor the server would send. */
export function messagePages(messages: MessageRow[]): PullResponse[] {
	const pages: PullResponse[] = [];
	for (let i = 0; i < messages.length; i += PULL_PAGE_ROWS) {
		const rows = messages.slice(i, i + PULL_PAGE_ROWS);
		pages.push({
			cursor: rows.at(-1)?.version ?? 0,
			more: i + PULL_PAGE_ROWS < messages.length,
			lastMutationId: 0,
			conversations: [],
			messages: rows,
			generations: [],
			rejections: []
		});
	}
	return pages;
}

/** Approximate bytes of a row as JSON, for the output's description of the rows. */
export const jsonBytes = (row: unknown) => JSON.stringify(row).length;
