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
