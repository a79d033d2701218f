import { and, asc, eq, gt, isNotNull, isNull } from 'drizzle-orm';
import {
	PULL_PAGE_ROWS,
	type ConversationRow,
	type GenerationRow,
	type MessageRow,
	type PullRequest,
	type PullResponse,
	type RejectionRow
} from '../../src/lib/domain/sync';
import type { Db } from '../db/client';
import { conversations, generations, messages, syncClients, syncCounter, syncRejections } from '../db/schema';
import { ForeignClientError } from './push';

/** A page also stops once its text passes this, so a page of 130k-character replies stays small. */
const PAGE_TEXT_BUDGET = 4 * 1024 * 1024;

type Tagged =
	| { kind: 'conversations'; row: ConversationRow }
	| { kind: 'messages'; row: MessageRow }
	| { kind: 'generations'; row: GenerationRow }
	| { kind: 'rejections'; row: RejectionRow };

/**
 * The user's synced rows with `version > cursor`, tombstones included, in version order, one page
 * at a time. Every row has its own version, so a page can end anywhere and the next one resumes
 * exactly after it. Rows, cursor and the client's `lastMutationId` come from one snapshot: the
 * reads share one read transaction, since the writer's commit thread may commit between two of
 * them otherwise (WAL: the transaction keeps reading what was committed when it began, and holds
 * up no writer).
 */
export function pull(db: Db, userId: string, request: PullRequest): PullResponse {
	return db.transaction(() => readPage(db, userId, request));
}

function readPage(db: Db, userId: string, request: PullRequest): PullResponse {
	const { cursor } = request;
	let lastMutationId = 0;
	if (request.clientId) {
		const client = db.select().from(syncClients).where(eq(syncClients.clientId, request.clientId)).get();
		if (client && client.userId !== userId) throw new ForeignClientError();
		lastMutationId = client?.lastMutationId ?? 0;
	}
	const limit = PULL_PAGE_ROWS + 1;
	const tagged: Tagged[] = [
		...db
			.select()
			.from(conversations)
			.where(and(eq(conversations.userId, userId), gt(conversations.version, cursor)))
			.orderBy(asc(conversations.version))
			.limit(limit)
			.all()
			.map((r): Tagged => ({ kind: 'conversations', row: toConversation(r) })),
		...db
			.select()
			.from(messages)
			.where(and(eq(messages.userId, userId), gt(messages.version, cursor)))
			.orderBy(asc(messages.version))
			.limit(limit)
			.all()
			.map((r): Tagged => ({ kind: 'messages', row: toMessage(r) })),
		...db
			.select({ g: generations })
			.from(generations)
			.innerJoin(conversations, eq(conversations.id, generations.conversationId))
			.where(and(eq(generations.userId, userId), gt(generations.version, cursor), isNotNull(generations.conversationId), isNull(conversations.deletedAt)))
			.orderBy(asc(generations.version))
			.limit(limit)
			.all()
			.map(({ g }): Tagged => ({ kind: 'generations', row: toGeneration(g) })),
		...db
			.select()
			.from(syncRejections)
			.where(and(eq(syncRejections.userId, userId), gt(syncRejections.version, cursor)))
			.orderBy(asc(syncRejections.version))
			.limit(limit)
			.all()
			.map((r): Tagged => ({ kind: 'rejections', row: { clientId: r.clientId, mutationId: r.mutationId, name: r.name, reason: r.reason, createdAt: r.createdAt, version: r.version } }))
	].sort((a, b) => a.row.version - b.row.version);

	const page: PullResponse = { cursor, more: false, lastMutationId, conversations: [], messages: [], generations: [], rejections: [] };
	let text = 0;
	for (const item of tagged) {
		if (page.conversations.length + page.messages.length + page.generations.length + page.rejections.length >= PULL_PAGE_ROWS || (text > PAGE_TEXT_BUDGET && page.cursor > cursor)) {
			page.more = true;
			break;
		}
		(page[item.kind] as Array<typeof item.row>).push(item.row);
		if (item.kind === 'messages') text += item.row.content.length;
		page.cursor = item.row.version;
	}
	// A complete page jumps to the counter: versions in between were other users' rows.
	if (!page.more) page.cursor = Math.max(cursor, db.select({ v: syncCounter.version }).from(syncCounter).get()?.v ?? 0);
	return page;
}

function toConversation(r: typeof conversations.$inferSelect): ConversationRow {
	return {
		id: r.id,
		title: r.title,
		model: r.model,
		systemPrompt: r.systemPrompt,
		fallbackModels: r.fallbackModels,
		temperature: r.temperature,
		maxTokens: r.maxTokens,
		pinned: r.pinned,
		archived: r.archived,
		activeLeafId: r.activeLeafId,
		createdAt: r.createdAt,
		updatedAt: r.updatedAt,
		deletedAt: r.deletedAt,
		version: r.version
	};
}

function toMessage(r: typeof messages.$inferSelect): MessageRow {
	return {
		id: r.id,
		conversationId: r.conversationId,
		parentId: r.parentId,
		role: r.role,
		content: r.content,
		status: r.status,
		model: r.model,
		generationId: r.generationId,
		createdAt: r.createdAt,
		deletedAt: r.deletedAt,
		version: r.version
	};
}

function toGeneration(r: typeof generations.$inferSelect): GenerationRow {
	return {
		id: r.id,
		conversationId: r.conversationId ?? '',
		userMessageId: r.userMessageId ?? '',
		assistantMessageId: r.assistantMessageId ?? '',
		models: r.models,
		model: r.model,
		state: r.state,
		failureReason: r.failureReason,
		tokensIn: r.tokensIn,
		tokensOut: r.tokensOut,
		costNanoUsd: r.costNanoUsd,
		costSource: r.costSource,
		createdAt: r.createdAt,
		startedAt: r.startedAt,
		firstTokenAt: r.firstTokenAt,
		finishedAt: r.finishedAt,
		version: r.version
	};
}
