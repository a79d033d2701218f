import type { PhosphorDb, UserStore } from '../store/db';
import { enqueueMany, type QueuedChange } from '../store/mutate';
import type { ImportPlan, PlannedConversation } from './plan';

/**
 * Ids of every conversation in the store: pulled rows (deleted ones too: the server keeps their
 * ids, and an import never brings one back) and queued creates and imports. planImport's `existing`.
 */
export async function readExistingConversationIds(db: PhosphorDb): Promise<Set<string>> {
	return db.transaction('r', db.conversations, db.outbox, async () => {
		const ids = new Set<string>(await db.conversations.toCollection().primaryKeys());
		for (const entry of await db.outbox.toArray()) {
			if (entry.name === 'conversation.create' || entry.name === 'conversation.import') ids.add(entry.args.id);
		}
		return ids;
	});
}

export interface ImportProgress {
	conversationsDone: number;
	conversations: number;
	messagesDone: number;
	messages: number;
}

export interface ImportResult {
	/** Conversations queued for the server. */
	conversations: number;
	messages: number;
	/** Outbox entries written. */
	mutations: number;
	/** Planned conversations found in the store by now (another tab, or this plan run twice): left alone. */
	skipped: number;
}

/**
 * Conversations go into the outbox together until about this many mutations: a strict commit each
 * (and a wake-up of every liveQuery) per conversation would make a 2,000-conversation import slow.
 */
export const MUTATIONS_PER_TRANSACTION = 250;

/**
 * Queues a plan's mutations through enqueue (the outbox). Whole conversations share a transaction,
 * so each is queued entirely or not at all: an import interrupted half way can simply be run again
 * (planImport leaves out the conversations that made it). Calls `onProgress` after each commit.
 */
export async function runImport(store: UserStore, plan: ImportPlan, onProgress?: (progress: ImportProgress) => void): Promise<ImportResult> {
	const db = store.outboxDb;
	const existing = await readExistingConversationIds(db);
	const progress: ImportProgress = { conversationsDone: 0, conversations: plan.conversations.length, messagesDone: 0, messages: plan.summary.messages };
	const result: ImportResult = { conversations: 0, messages: 0, mutations: 0, skipped: 0 };
	let chunk: PlannedConversation[] = [];
	const flush = async () => {
		if (chunk.length === 0) return;
		const conversations = chunk;
		chunk = [];
		// One strict transaction for the chunk: each conversation is queued whole or not at all.
		await enqueueMany(store, conversations.flatMap((conversation) => conversation.mutations as QueuedChange[]));
		for (const conversation of conversations) {
			result.conversations++;
			result.messages += conversation.messages;
			result.mutations += conversation.mutations.length;
		}
		report();
	};
	let reported = -1;
	const report = () => {
		reported = progress.conversationsDone;
		onProgress?.({ ...progress });
	};
	let pending = 0;
	for (const conversation of plan.conversations) {
		if (existing.has(conversation.id)) {
			result.skipped++;
		} else {
			existing.add(conversation.id); // a plan that names a conversation twice queues it once
			chunk.push(conversation);
			pending += conversation.mutations.length;
		}
		progress.conversationsDone++;
		progress.messagesDone += conversation.messages;
		if (pending >= MUTATIONS_PER_TRANSACTION) {
			await flush();
			pending = 0;
		}
	}
	await flush();
	if (reported !== progress.conversationsDone) report();
	return result;
}
