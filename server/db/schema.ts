import { sql } from 'drizzle-orm';
import { index, integer, primaryKey, real, sqliteTable, sqliteView, text, uniqueIndex } from 'drizzle-orm/sqlite-core';

const createdAt = () =>
	integer('created_at', { mode: 'number' })
		.notNull()
		.default(sql`(CAST(unixepoch('subsec') * 1000 AS INTEGER))`);

export const users = sqliteTable(
	'users',
	{
		id: text('id').primaryKey(),
		username: text('username').notNull(),
		/** Lower-cased username: uniqueness and login ignore case. */
		usernameKey: text('username_key').notNull(),
		passwordHash: text('password_hash').notNull(),
		isAdmin: integer('is_admin', { mode: 'boolean' }).notNull().default(false),
		createdAt: createdAt()
	},
	(t) => [uniqueIndex('users_username_key').on(t.usernameKey)]
);

/** Only a SHA-256 of the cookie's token is stored: a leaked database opens no session. */
export const sessions = sqliteTable(
	'sessions',
	{
		tokenHash: text('token_hash').primaryKey(),
		userId: text('user_id')
			.notNull()
			.references(() => users.id, { onDelete: 'cascade' }),
		createdAt: createdAt(),
		expiresAt: integer('expires_at', { mode: 'number' }).notNull(),
		lastSeenAt: integer('last_seen_at', { mode: 'number' }).notNull()
	},
	(t) => [index('sessions_user').on(t.userId), index('sessions_expiry').on(t.expiresAt)]
);

export const conversations = sqliteTable(
	'conversations',
	{
		id: text('id').primaryKey(),
		userId: text('user_id')
			.notNull()
			.references(() => users.id, { onDelete: 'cascade' }),
		/** Empty until the first message names it or a person renames it. */
		title: text('title').notNull(),
		model: text('model').notNull(),
		systemPrompt: text('system_prompt').notNull().default(''),
		fallbackModels: text('fallback_models', { mode: 'json' }).$type<string[]>().notNull().default(sql`'[]'`),
		temperature: real('temperature'),
		maxTokens: integer('max_tokens'),
		pinned: integer('pinned', { mode: 'boolean' }).notNull().default(false),
		archived: integer('archived', { mode: 'boolean' }).notNull().default(false),
		activeLeafId: text('active_leaf_id'),
		createdAt: createdAt(),
		updatedAt: integer('updated_at', { mode: 'number' }).notNull(),
		/** A tombstone: it syncs so every device learns of the delete, and it wins over any later edit. */
		deletedAt: integer('deleted_at', { mode: 'number' }),
		/** Set by trigger from the global sync counter on every change (migration 0004). */
		version: integer('version').notNull().default(0)
	},
	(t) => [index('conversations_user').on(t.userId, t.updatedAt), index('conversations_user_version').on(t.userId, t.version)]
);

export const messages = sqliteTable(
	'messages',
	{
		id: text('id').primaryKey(),
		conversationId: text('conversation_id')
			.notNull()
			.references(() => conversations.id, { onDelete: 'cascade' }),
		/** The conversation's owner, repeated here so pulls read one index. */
		userId: text('user_id').notNull().default(''),
		parentId: text('parent_id'),
		role: text('role', { enum: ['user', 'assistant', 'system'] }).notNull(),
		content: text('content').notNull(),
		status: text('status', { enum: ['complete', 'streaming', 'failed', 'cancelled'] }).notNull(),
		model: text('model'),
		generationId: text('generation_id'),
		createdAt: createdAt(),
		deletedAt: integer('deleted_at', { mode: 'number' }),
		/** Versioned on insert and when status, model or deletedAt change — not per streamed chunk. */
		version: integer('version').notNull().default(0)
	},
	(t) => [index('messages_conversation').on(t.conversationId, t.createdAt), index('messages_user_version').on(t.userId, t.version)]
);

/**
 * A reply as a server-side job: requested → running → exactly one of done / cancelled / failed.
 * The row outlives every client; `failure_reason` is written for a person to act on.
 */
export const generations = sqliteTable(
	'generations',
	{
		id: text('id').primaryKey(),
		userId: text('user_id')
			.notNull()
			.references(() => users.id, { onDelete: 'cascade' }),
		conversationId: text('conversation_id').references(() => conversations.id, { onDelete: 'cascade' }),
		/** How the reply was asked for: the app, or the OpenAI-compatible API. */
		origin: text('origin', { enum: ['app', 'api'] }).notNull().default('app'),
		userMessageId: text('user_message_id'),
		assistantMessageId: text('assistant_message_id'),
		/** The models to try, in order: the first is the one asked for, the rest are fallbacks. */
		models: text('models', { mode: 'json' }).$type<string[]>().notNull(),
		/** The model that actually answered (it decides the price). */
		model: text('model'),
		state: text('state', { enum: ['requested', 'running', 'done', 'cancelled', 'failed'] }).notNull(),
		failureReason: text('failure_reason'),
		/** The provider's generation id (`gen-…`), for cost lookups. */
		upstreamId: text('upstream_id'),
		tokensIn: integer('tokens_in'),
		tokensOut: integer('tokens_out'),
		/** Provider-reported cost in nano-USD, once known. */
		costNanoUsd: integer('cost_nano_usd'),
		/** The max_tokens sent upstream: it bounds the reservation. */
		maxTokens: integer('max_tokens'),
		/** The prompt's estimated tokens at admission: a crash with no bill to look up is estimated from it. */
		promptTokensEstimate: integer('prompt_tokens_estimate'),
		createdAt: createdAt(),
		startedAt: integer('started_at', { mode: 'number' }),
		firstTokenAt: integer('first_token_at', { mode: 'number' }),
		finishedAt: integer('finished_at', { mode: 'number' }),
		/** Where `cost_nano_usd` came from, once settled. */
		costSource: text('cost_source', { enum: ['provider', 'generation-lookup', 'estimate'] }),
		/** App replies only (those with a conversation) sync; set by trigger like conversations'. */
		version: integer('version').notNull().default(0)
	},
	(t) => [
		index('generations_user').on(t.userId, t.createdAt),
		index('generations_state').on(t.state),
		index('generations_user_version').on(t.userId, t.version)
	]
);

/** The global counter every synced row's `version` comes from (one row). */
export const syncCounter = sqliteTable('sync_counter', {
	id: integer('id').primaryKey(),
	version: integer('version').notNull()
});

/** A client (a browser profile's database, or a script) and how far its mutations have been processed. */
export const syncClients = sqliteTable(
	'sync_clients',
	{
		clientId: text('client_id').primaryKey(),
		userId: text('user_id')
			.notNull()
			.references(() => users.id, { onDelete: 'cascade' }),
		lastMutationId: integer('last_mutation_id').notNull().default(0),
		createdAt: createdAt(),
		lastSeenAt: integer('last_seen_at', { mode: 'number' }).notNull()
	},
	(t) => [index('sync_clients_user').on(t.userId)]
);

/** Mutations the server refused, with the reason the client shows; they sync to the user's devices. */
export const syncRejections = sqliteTable(
	'sync_rejections',
	{
		clientId: text('client_id').notNull(),
		mutationId: integer('mutation_id').notNull(),
		userId: text('user_id')
			.notNull()
			.references(() => users.id, { onDelete: 'cascade' }),
		name: text('name').notNull(),
		reason: text('reason').notNull(),
		createdAt: createdAt(),
		version: integer('version').notNull().default(0)
	},
	(t) => [primaryKey({ columns: [t.clientId, t.mutationId] }), index('sync_rejections_user_version').on(t.userId, t.version)]
);

/** Bearer tokens for the OpenAI-compatible API; only a SHA-256 of the secret is kept. */
export const apiTokens = sqliteTable(
	'api_tokens',
	{
		id: text('id').primaryKey(),
		userId: text('user_id')
			.notNull()
			.references(() => users.id, { onDelete: 'cascade' }),
		tokenHash: text('token_hash').notNull(),
		createdAt: createdAt(),
		lastUsedAt: integer('last_used_at', { mode: 'number' }),
		revokedAt: integer('revoked_at', { mode: 'number' })
	},
	(t) => [uniqueIndex('api_tokens_hash').on(t.tokenHash), index('api_tokens_user').on(t.userId)]
);

/** The model catalog from the upstream's /models; prices kept exactly as the provider wrote them. */
export const models = sqliteTable('models', {
	id: text('id').primaryKey(),
	name: text('name').notNull(),
	contextLength: integer('context_length'),
	maxCompletionTokens: integer('max_completion_tokens'),
	modality: text('modality'),
	/** USD per token as a decimal string ("0.000003"); "-1" means a variable price. */
	promptPrice: text('prompt_price').notNull(),
	completionPrice: text('completion_price').notNull(),
	requestPrice: text('request_price').notNull().default('0'),
	fetchedAt: integer('fetched_at', { mode: 'number' }).notNull(),
	/** Set when the model left the upstream's list: kept for old reports, refused for new calls. */
	removedAt: integer('removed_at', { mode: 'number' })
});

export const teams = sqliteTable(
	'teams',
	{
		id: text('id').primaryKey(),
		name: text('name').notNull(),
		createdAt: createdAt()
	},
	(t) => [uniqueIndex('teams_name').on(t.name)]
);

/** A user belongs to at most one team: its budget is the one a reply counts against. */
export const teamMembers = sqliteTable(
	'team_members',
	{
		teamId: text('team_id')
			.notNull()
			.references(() => teams.id, { onDelete: 'cascade' }),
		userId: text('user_id')
			.notNull()
			.references(() => users.id, { onDelete: 'cascade' })
	},
	(t) => [uniqueIndex('team_members_user').on(t.userId), index('team_members_team').on(t.teamId)]
);

/** One hard limit per user or team, over a period, with alert thresholds in percent. */
export const budgets = sqliteTable(
	'budgets',
	{
		id: text('id').primaryKey(),
		scope: text('scope', { enum: ['user', 'team'] }).notNull(),
		scopeId: text('scope_id').notNull(),
		period: text('period', { enum: ['day', 'month', 'total'] }).notNull(),
		limitNanoUsd: integer('limit_nano_usd').notNull(),
		alertThresholds: text('alert_thresholds', { mode: 'json' }).$type<number[]>().notNull(),
		createdAt: createdAt(),
		updatedAt: integer('updated_at', { mode: 'number' }).notNull()
	},
	(t) => [uniqueIndex('budgets_scope').on(t.scope, t.scopeId)]
);

/**
 * Append-only money record (docs/architecture.md#money-and-the-ledger). A generation has at most
 * one reservation and one settlement (unique index); a settlement releases the reservation and
 * charges the billed amount in one row; a correction is a further row, never an edit. Running
 * totals are not stored: the ledger keeps them in memory, summed from these rows at boot.
 */
export const ledgerRecords = sqliteTable(
	'ledger_records',
	{
		// No AUTOINCREMENT: rows are never deleted, so the rowid already grows, without a write to sqlite_sequence per insert.
		id: integer('id').primaryKey(),
		generationId: text('generation_id'),
		userId: text('user_id').notNull(),
		teamId: text('team_id'),
		kind: text('kind', { enum: ['reservation', 'settlement', 'correction'] }).notNull(),
		/** Reservation: the worst case held; settlement: the charge; correction: the difference. */
		amountNanoUsd: integer('amount_nano_usd').notNull(),
		/** Settlement only: the reservation it releases. */
		releasedNanoUsd: integer('released_nano_usd'),
		source: text('source', { enum: ['provider', 'generation-lookup', 'estimate'] }),
		model: text('model'),
		tokensIn: integer('tokens_in'),
		tokensOut: integer('tokens_out'),
		/** The moment the spend belongs to (the reservation's): a reply counts in the period it started. */
		periodAt: integer('period_at', { mode: 'number' }).notNull(),
		createdAt: integer('created_at', { mode: 'number' }).notNull()
	},
	(t) => [
		uniqueIndex('ledger_records_once')
			.on(t.generationId, t.kind)
			.where(sql`kind IN ('reservation', 'settlement')`),
		// Lookups by generation use the unique index above: their WHERE repeats its IN list, which is
		// how SQLite knows a partial index applies. Every further index costs each insert a B-tree.
		index('ledger_records_user_time').on(t.userId, t.createdAt),
		// Corrections are rare: indexed alone, they cost the other rows nothing, and a reply's billed
		// total (its settlement plus its corrections) is two index lookups, not a scan.
		index('ledger_records_corrections')
			.on(t.generationId)
			.where(sql`kind = 'correction'`)
	]
);

/**
 * The ledger as entries, the shape it was written in before settlements were one row (migration
 * 0005 creates this view): `reservation`, `release` (the reservation given back), `charge` and
 * `correction`. Reports and exports read it; ids are the record's × 2 (+ 1 for a charge), so a
 * settlement's release still comes before its charge.
 */
export const ledgerEntries = sqliteView('ledger_entries', {
	id: integer('id').notNull(),
	generationId: text('generation_id'),
	userId: text('user_id').notNull(),
	teamId: text('team_id'),
	kind: text('kind', { enum: ['reservation', 'release', 'charge', 'correction'] }).notNull(),
	amountNanoUsd: integer('amount_nano_usd').notNull(),
	source: text('source', { enum: ['provider', 'generation-lookup', 'estimate'] }),
	model: text('model'),
	tokensIn: integer('tokens_in'),
	tokensOut: integer('tokens_out'),
	periodAt: integer('period_at', { mode: 'number' }).notNull(),
	createdAt: integer('created_at', { mode: 'number' }).notNull()
}).existing();

/** One alert per budget, period and threshold: the primary key makes it so. */
export const budgetAlerts = sqliteTable(
	'budget_alerts',
	{
		budgetId: text('budget_id')
			.notNull()
			.references(() => budgets.id, { onDelete: 'cascade' }),
		periodKey: text('period_key').notNull(),
		threshold: integer('threshold').notNull(),
		sentAt: integer('sent_at', { mode: 'number' }).notNull()
	},
	(t) => [primaryKey({ columns: [t.budgetId, t.periodKey, t.threshold] })]
);
