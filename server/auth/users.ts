import { eq, sql } from 'drizzle-orm';
import { randomUUID } from 'node:crypto';
import { IMMEDIATE, type Db } from '../db/client';
import { users } from '../db/schema';
import { hashPassword } from './password';

export interface PublicUser {
	id: string;
	username: string;
	isAdmin: boolean;
	createdAt: number;
}

export class UsernameTakenError extends Error {
	override name = 'UsernameTakenError';
	constructor(username: string) {
		super(`The username "${username}" is taken.`);
	}
}

export function toPublicUser(row: typeof users.$inferSelect): PublicUser {
	return { id: row.id, username: row.username, isAdmin: row.isAdmin, createdAt: row.createdAt };
}

export function countUsers(db: Db): number {
	return db.select({ n: sql<number>`count(*)` }).from(users).get()?.n ?? 0;
}

export function findUserByUsername(db: Db, username: string) {
	return db.select().from(users).where(eq(users.usernameKey, username.toLowerCase())).get();
}

export function findUserById(db: Db, id: string) {
	return db.select().from(users).where(eq(users.id, id)).get();
}

export async function createUser(
	db: Db,
	input: { username: string; password: string; isAdmin: boolean },
	/** Runs inside the insert's transaction; return false to refuse (e.g. "no user may exist yet"). */
	guard: () => boolean = () => true
): Promise<PublicUser> {
	// Hash first: scrypt is async and must not run inside a synchronous SQLite transaction.
	const passwordHash = await hashPassword(input.password);
	const row = {
		id: randomUUID(),
		username: input.username,
		usernameKey: input.username.toLowerCase(),
		passwordHash,
		isAdmin: input.isAdmin,
		createdAt: Date.now()
	};
	return db.transaction((tx) => {
		if (!guard()) throw new GuardRefusedError();
		if (tx.select({ id: users.id }).from(users).where(eq(users.usernameKey, row.usernameKey)).get()) {
			throw new UsernameTakenError(input.username);
		}
		tx.insert(users).values(row).run();
		return toPublicUser(row);
	}, IMMEDIATE);
}

export class GuardRefusedError extends Error {
	override name = 'GuardRefusedError';
}
