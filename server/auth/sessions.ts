import { and, eq, gt, lt } from 'drizzle-orm';
import type { Db } from '../db/client';
import { sessions, users } from '../db/schema';
import { hashSecret, newSecret } from './tokens';
import { toPublicUser, type PublicUser } from './users';

export const SESSION_COOKIE = 'phosphor_session';
export const SESSION_TTL_MS = 30 * 24 * 60 * 60 * 1000;
/** A session in use is extended at most this often, so reads do not write on every request. */
const TOUCH_INTERVAL_MS = 60 * 60 * 1000;

export interface SessionStore {
	create(userId: string): { token: string; expiresAt: number };
	/** The user of a live session, or null when missing or expired. Slides the expiry now and then. */
	resolve(token: string): { user: PublicUser; expiresAt: number; extended: boolean } | null;
	revoke(token: string): void;
	purgeExpired(): number;
}

export function createSessionStore(db: Db, now: () => number = Date.now): SessionStore {
	return {
		create(userId) {
			const token = newSecret();
			const t = now();
			const expiresAt = t + SESSION_TTL_MS;
			db.insert(sessions).values({ tokenHash: hashSecret(token), userId, createdAt: t, expiresAt, lastSeenAt: t }).run();
			return { token, expiresAt };
		},
		resolve(token) {
			const t = now();
			const tokenHash = hashSecret(token);
			const row = db
				.select({ user: users, lastSeenAt: sessions.lastSeenAt, expiresAt: sessions.expiresAt })
				.from(sessions)
				.innerJoin(users, eq(users.id, sessions.userId))
				.where(and(eq(sessions.tokenHash, tokenHash), gt(sessions.expiresAt, t)))
				.get();
			if (!row) return null;
			if (t - row.lastSeenAt <= TOUCH_INTERVAL_MS) {
				return { user: toPublicUser(row.user), expiresAt: row.expiresAt, extended: false };
			}
			const expiresAt = t + SESSION_TTL_MS;
			db.update(sessions).set({ lastSeenAt: t, expiresAt }).where(eq(sessions.tokenHash, tokenHash)).run();
			return { user: toPublicUser(row.user), expiresAt, extended: true };
		},
		revoke(token) {
			db.delete(sessions).where(eq(sessions.tokenHash, hashSecret(token))).run();
		},
		purgeExpired() {
			return db.delete(sessions).where(lt(sessions.expiresAt, now())).run().changes;
		}
	};
}
