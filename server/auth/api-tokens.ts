import { and, asc, eq, isNull, sql } from 'drizzle-orm';
import { randomBytes } from 'node:crypto';
import type { Db } from '../db/client';
import { apiTokens, users } from '../db/schema';
import { hashSecret, newSecret } from './tokens';
import { toPublicUser, type PublicUser } from './users';

/**
 * Token format: `phk_<id>_<secret>`, e.g. `phk_3f9a1c2b7d4e5f60_Zm9v…` — `id` is 16 hex digits
 * (the row's primary key, safe to show in lists and logs), `secret` is 32 random bytes in
 * base64url (43 characters). Only SHA-256 of the secret is stored. The id is in the token so an
 * operator can tell which token a script holds and revoke it without the database.
 */
export const API_TOKEN_PREFIX = 'phk_';
const TOKEN_PATTERN = /^phk_([0-9a-f]{16})_([A-Za-z0-9_-]{43})$/;
const ID_PATTERN = /^[0-9a-f]{16}$/;
/** lastUsedAt is a hint for people, not an audit log: one write a minute per token is plenty. */
const TOUCH_INTERVAL_MS = 60_000;

export interface ApiTokenInfo {
	id: string;
	createdAt: number;
	lastUsedAt: number | null;
	revokedAt: number | null;
}

export type RevokeResult = { status: 'revoked' | 'already-revoked'; id: string } | { status: 'not-found' };

export function parseApiToken(token: string): { id: string; secret: string } | null {
	const match = TOKEN_PATTERN.exec(token);
	return match ? { id: match[1] as string, secret: match[2] as string } : null;
}

export function isApiTokenId(value: string): boolean {
	return ID_PATTERN.test(value);
}

/** Creates a token for the user; the returned `token` is the only copy of the secret. */
export function createApiToken(db: Db, userId: string, now = Date.now()): { id: string; token: string } {
	const id = randomBytes(8).toString('hex');
	const secret = newSecret();
	db.insert(apiTokens).values({ id, userId, tokenHash: hashSecret(secret), createdAt: now }).run();
	return { id, token: `${API_TOKEN_PREFIX}${id}_${secret}` };
}

export function listApiTokens(db: Db, userId: string): ApiTokenInfo[] {
	return db
		.select({ id: apiTokens.id, createdAt: apiTokens.createdAt, lastUsedAt: apiTokens.lastUsedAt, revokedAt: apiTokens.revokedAt })
		.from(apiTokens)
		.where(eq(apiTokens.userId, userId))
		.orderBy(asc(apiTokens.createdAt), asc(apiTokens.id))
		.all();
}

/** Accepts a whole token or just its id; a revoked token stays listed, with its revocation time. */
export function revokeApiToken(db: Db, tokenOrId: string, now = Date.now()): RevokeResult {
	const row = findRow(db, tokenOrId);
	if (!row) return { status: 'not-found' };
	if (row.revokedAt !== null) return { status: 'already-revoked', id: row.id };
	db.update(apiTokens)
		.set({ revokedAt: now })
		.where(and(eq(apiTokens.id, row.id), isNull(apiTokens.revokedAt)))
		.run();
	return { status: 'revoked', id: row.id };
}

/** Built once per database: building and preparing the query cost more than running it, on every /v1 call. */
const lookups = new WeakMap<Db, ReturnType<typeof prepareLookup>>();

function prepareLookup(db: Db) {
	return db
		.select({ id: apiTokens.id, lastUsedAt: apiTokens.lastUsedAt, revokedAt: apiTokens.revokedAt, user: users })
		.from(apiTokens)
		.innerJoin(users, eq(users.id, apiTokens.userId))
		.where(eq(apiTokens.tokenHash, sql.placeholder('hash')))
		.prepare();
}

/**
 * The user a bearer token belongs to, or null (malformed, unknown, revoked). The lookup is by
 * hash through a unique index, so nothing compares the secret byte by byte in variable time.
 */
export function resolveApiToken(db: Db, token: string, now = Date.now()): PublicUser | null {
	const parsed = parseApiToken(token);
	if (!parsed) return null;
	let lookup = lookups.get(db);
	if (!lookup) lookups.set(db, (lookup = prepareLookup(db)));
	const row = lookup.get({ hash: hashSecret(parsed.secret) });
	// The id is public; a token whose id does not match its secret was tampered with.
	if (!row || row.id !== parsed.id || row.revokedAt !== null) return null;
	if (row.lastUsedAt === null || now - row.lastUsedAt >= TOUCH_INTERVAL_MS) {
		db.update(apiTokens).set({ lastUsedAt: now }).where(eq(apiTokens.id, row.id)).run();
	}
	return toPublicUser(row.user);
}

function findRow(db: Db, tokenOrId: string) {
	const columns = { id: apiTokens.id, revokedAt: apiTokens.revokedAt };
	const parsed = parseApiToken(tokenOrId);
	if (parsed) {
		const row = db.select(columns).from(apiTokens).where(eq(apiTokens.tokenHash, hashSecret(parsed.secret))).get();
		return row && row.id === parsed.id ? row : undefined;
	}
	if (!isApiTokenId(tokenOrId)) return undefined;
	return db.select(columns).from(apiTokens).where(eq(apiTokens.id, tokenOrId)).get();
}
