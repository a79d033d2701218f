import { and, asc, eq, gte, inArray, lt, sql, type SQL } from 'drizzle-orm';
import { addNano, costOf, isVariablePrice, nanoUsd, parsePrice, sumNano, type NanoUsd } from '../../src/lib/domain/money';
import type { Db } from '../db/client';
import { conversations, generations, ledgerEntries, messages, models, teams, users } from '../db/schema';
import type { SettlementSource } from './ledger';

/** Spend is what was billed: charges and the corrections made to them, never reservations. */
const SPEND_KINDS: Array<'charge' | 'correction'> = ['charge', 'correction'];

export interface MessageCost {
	messageId: string;
	generationId: string | null;
	model: string | null;
	tokensIn: number | null;
	tokensOut: number | null;
	/** Charge plus corrections; null until the reply is settled. */
	billedNanoUsd: NanoUsd | null;
	/** Tokens × the catalog's price: null when the model, its price or the token counts are unknown. */
	estimatedNanoUsd: NanoUsd | null;
	source: SettlementSource | null;
	latency: { firstTokenMs: number | null; totalMs: number | null };
}

/** What one assistant reply cost; null unless the message is the user's own assistant message. */
export function messageCost(db: Db, messageId: string, userId: string): MessageCost | null {
	const found = db
		.select({ role: messages.role, model: messages.model, generationId: messages.generationId })
		.from(messages)
		.innerJoin(conversations, eq(conversations.id, messages.conversationId))
		.where(and(eq(messages.id, messageId), eq(conversations.userId, userId)))
		.get();
	if (!found || found.role !== 'assistant') return null;
	const generation = found.generationId
		? db.select().from(generations).where(and(eq(generations.id, found.generationId), eq(generations.userId, userId))).get()
		: undefined;
	const entries = found.generationId
		? db
				.select()
				.from(ledgerEntries)
				.where(and(eq(ledgerEntries.generationId, found.generationId), inArray(ledgerEntries.kind, SPEND_KINDS)))
				.orderBy(asc(ledgerEntries.id))
				.all()
		: [];
	const charge = entries.find((e) => e.kind === 'charge');
	const model = charge?.model ?? generation?.model ?? found.model;
	const tokensIn = charge?.tokensIn ?? generation?.tokensIn ?? null;
	const tokensOut = charge?.tokensOut ?? generation?.tokensOut ?? null;
	const since = (at: number | null | undefined) => (generation && at != null ? at - generation.createdAt : null);
	return {
		messageId,
		generationId: found.generationId,
		model,
		tokensIn,
		tokensOut,
		billedNanoUsd: charge ? sumNano(entries.map((e) => nanoUsd(e.amountNanoUsd))) : null,
		estimatedNanoUsd: model && tokensIn !== null && tokensOut !== null ? catalogEstimate(db, model, tokensIn, tokensOut) : null,
		source: charge?.source ?? null,
		latency: { firstTokenMs: since(generation?.firstTokenAt), totalMs: since(generation?.finishedAt) }
	};
}

/** Priced from the stored catalog, which keeps models the provider has since dropped. */
function catalogEstimate(db: Db, modelId: string, tokensIn: number, tokensOut: number): NanoUsd | null {
	const row = db.select({ prompt: models.promptPrice, completion: models.completionPrice }).from(models).where(eq(models.id, modelId)).get();
	if (!row || isVariablePrice(row.prompt) || isVariablePrice(row.completion)) return null;
	return addNano(costOf(tokensIn, parsePrice(row.prompt)), costOf(tokensOut, parsePrice(row.completion)));
}

export const USAGE_GROUPS = ['conversation', 'day', 'model', 'user', 'team'] as const;
export type UsageGroup = (typeof USAGE_GROUPS)[number];

export interface UsageQuery {
	groupBy: UsageGroup;
	/** Epoch ms, inclusive. */
	from: number;
	/** Epoch ms, exclusive: [from, to) so consecutive ranges never count an entry twice. */
	to: number;
	/** Only this user's spend. */
	userId?: string;
}

export interface UsageRow {
	key: string;
	label: string;
	generations: number;
	tokensIn: number;
	tokensOut: number;
	costNanoUsd: NanoUsd;
}

// Entries without a conversation (API calls), team or model still add up: they get an empty key.
const GROUPS: Record<UsageGroup, { key: SQL<string>; label: SQL<string> }> = {
	conversation: {
		key: sql<string>`coalesce(${generations.conversationId}, '')`,
		label: sql<string>`coalesce(${conversations.title}, 'API (no conversation)')`
	},
	day: {
		key: sql<string>`strftime('%Y-%m-%d', ${ledgerEntries.createdAt} / 1000, 'unixepoch')`,
		label: sql<string>`strftime('%Y-%m-%d', ${ledgerEntries.createdAt} / 1000, 'unixepoch')`
	},
	model: {
		key: sql<string>`coalesce(${ledgerEntries.model}, '')`,
		label: sql<string>`coalesce(${models.name}, ${ledgerEntries.model}, 'unknown model')`
	},
	user: {
		key: sql<string>`${ledgerEntries.userId}`,
		label: sql<string>`coalesce(${users.username}, ${ledgerEntries.userId})`
	},
	team: {
		key: sql<string>`coalesce(${ledgerEntries.teamId}, '')`,
		label: sql<string>`coalesce(${teams.name}, 'no team')`
	}
};

/** Billed spend in a time range (by entry time), summed per conversation, day, model, user or team. */
export function usageReport(db: Db, query: UsageQuery): UsageRow[] {
	const { key, label } = GROUPS[query.groupBy];
	const rows = db
		.select({
			key,
			label,
			// A corrected charge is still one reply.
			generations: sql<number>`count(DISTINCT ${ledgerEntries.generationId})`,
			tokensIn: sql<number>`coalesce(sum(${ledgerEntries.tokensIn}), 0)`,
			tokensOut: sql<number>`coalesce(sum(${ledgerEntries.tokensOut}), 0)`,
			cost: sql<number>`coalesce(sum(${ledgerEntries.amountNanoUsd}), 0)`
		})
		.from(ledgerEntries)
		.leftJoin(generations, eq(generations.id, ledgerEntries.generationId))
		.leftJoin(conversations, eq(conversations.id, generations.conversationId))
		.leftJoin(models, eq(models.id, ledgerEntries.model))
		.leftJoin(users, eq(users.id, ledgerEntries.userId))
		.leftJoin(teams, eq(teams.id, ledgerEntries.teamId))
		.where(spendBetween(query.from, query.to, query.userId))
		.groupBy(key, label)
		.all();
	const out = rows.map((r) => ({ key: r.key, label: r.label, generations: r.generations, tokensIn: r.tokensIn, tokensOut: r.tokensOut, costNanoUsd: nanoUsd(r.cost) }));
	// Days read best in order; everything else by what it cost, the most first.
	return query.groupBy === 'day'
		? out.sort((a, b) => a.key.localeCompare(b.key))
		: out.sort((a, b) => b.costNanoUsd - a.costNanoUsd || a.key.localeCompare(b.key));
}

export interface UsageEntry {
	createdAt: number;
	username: string;
	teamName: string | null;
	generationId: string | null;
	conversationId: string | null;
	model: string | null;
	tokensIn: number | null;
	tokensOut: number | null;
	amountNanoUsd: NanoUsd;
	source: SettlementSource | null;
	kind: 'charge' | 'correction';
}

/** Every charge and correction in [from, to), oldest first: the rows of a usage export. */
export function usageEntries(db: Db, range: { from: number; to: number }): UsageEntry[] {
	return db
		.select({
			createdAt: ledgerEntries.createdAt,
			username: sql<string>`coalesce(${users.username}, ${ledgerEntries.userId})`,
			teamName: teams.name,
			generationId: ledgerEntries.generationId,
			conversationId: generations.conversationId,
			model: ledgerEntries.model,
			tokensIn: ledgerEntries.tokensIn,
			tokensOut: ledgerEntries.tokensOut,
			amount: ledgerEntries.amountNanoUsd,
			source: ledgerEntries.source,
			kind: ledgerEntries.kind
		})
		.from(ledgerEntries)
		.leftJoin(generations, eq(generations.id, ledgerEntries.generationId))
		.leftJoin(users, eq(users.id, ledgerEntries.userId))
		.leftJoin(teams, eq(teams.id, ledgerEntries.teamId))
		.where(spendBetween(range.from, range.to))
		.orderBy(asc(ledgerEntries.createdAt), asc(ledgerEntries.id))
		.all()
		.map(({ amount, kind, ...rest }) => ({ ...rest, amountNanoUsd: nanoUsd(amount), kind: kind === 'charge' ? 'charge' : 'correction' }));
}

function spendBetween(from: number, to: number, userId?: string): SQL | undefined {
	return and(
		inArray(ledgerEntries.kind, SPEND_KINDS),
		gte(ledgerEntries.createdAt, from),
		lt(ledgerEntries.createdAt, to),
		userId === undefined ? undefined : eq(ledgerEntries.userId, userId)
	);
}
