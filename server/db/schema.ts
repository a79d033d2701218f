import { sql } from 'drizzle-orm';
import { index, integer, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core';

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
		title: text('title').notNull(),
		model: text('model').notNull(),
		activeLeafId: text('active_leaf_id'),
		createdAt: createdAt(),
		updatedAt: integer('updated_at', { mode: 'number' }).notNull(),
		deletedAt: integer('deleted_at', { mode: 'number' })
	},
	(t) => [index('conversations_user').on(t.userId, t.updatedAt)]
);

export const messages = sqliteTable(
	'messages',
	{
		id: text('id').primaryKey(),
		conversationId: text('conversation_id')
			.notNull()
			.references(() => conversations.id, { onDelete: 'cascade' }),
		parentId: text('parent_id'),
		role: text('role', { enum: ['user', 'assistant', 'system'] }).notNull(),
		content: text('content').notNull(),
		status: text('status', { enum: ['complete', 'streaming', 'failed', 'cancelled'] }).notNull(),
		model: text('model'),
		generationId: text('generation_id'),
		createdAt: createdAt()
	},
	(t) => [index('messages_conversation').on(t.conversationId, t.createdAt)]
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
		createdAt: createdAt(),
		startedAt: integer('started_at', { mode: 'number' }),
		firstTokenAt: integer('first_token_at', { mode: 'number' }),
		finishedAt: integer('finished_at', { mode: 'number' })
	},
	(t) => [index('generations_user').on(t.userId, t.createdAt), index('generations_state').on(t.state)]
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
