import Dexie from 'dexie';
import { userStoreName, type UserStoreOptions } from './db';

type StorageManagerLike = Pick<StorageManager, 'persist' | 'persisted' | 'estimate'>;

function storageManager(): StorageManagerLike | null {
	return (globalThis.navigator as { storage?: StorageManagerLike } | undefined)?.storage ?? null;
}

/**
 * Asks the browser not to evict this origin's data under storage pressure (the outbox may hold
 * changes that exist nowhere else). Returns whether storage is persistent; false when the API is
 * missing or the browser says no (Chromium decides by engagement, Firefox may prompt).
 */
export async function requestPersistence(storage: StorageManagerLike | null = storageManager()): Promise<boolean> {
	if (!storage?.persist) return false;
	try {
		if (await storage.persisted?.()) return true;
		return await storage.persist();
	} catch {
		return false; // a refusal is an answer, not a failure
	}
}

export interface StorageEstimateResult {
	/** Bytes used by this origin. */
	usage: number;
	/** Bytes this origin may use. */
	quota: number;
}

/** How much of its quota the origin uses, or null when the browser does not say. */
export async function storageEstimate(storage: StorageManagerLike | null = storageManager()): Promise<StorageEstimateResult | null> {
	if (!storage?.estimate) return null;
	try {
		const { usage, quota } = await storage.estimate();
		return usage === undefined || quota === undefined ? null : { usage, quota };
	} catch {
		return null;
	}
}

/**
 * Deletes a user's database: their rows, outbox (unsynced changes are lost) and client id.
 * Close the UserStore first; other tabs' connections are closed by Dexie's versionchange handling.
 */
export async function deleteUserStore(userId: string, options: UserStoreOptions = {}): Promise<void> {
	const dependencies = options.indexedDB ? { indexedDB: options.indexedDB, IDBKeyRange: options.IDBKeyRange ?? globalThis.IDBKeyRange } : undefined;
	if (dependencies) {
		// Dexie.delete only reads its global dependencies; an instance carries its own factory.
		await new Dexie(userStoreName(userId), dependencies).delete();
	} else {
		await Dexie.delete(userStoreName(userId));
	}
}

/** Who signed in last on this browser, so the app can open their data offline before the server answers. */
export interface LastUser {
	id: string;
	username: string;
}

/** Checked by hand rather than with zod: this runs before the first paint, and zod loads later. */
function asLastUser(value: unknown): LastUser | null {
	const v = value as Partial<LastUser> | null;
	return v && typeof v.id === 'string' && v.id.length > 0 && typeof v.username === 'string' ? { id: v.id, username: v.username } : null;
}

const LAST_USER_KEY = 'phosphor.lastUser';

function local(): Storage | null {
	try {
		return globalThis.localStorage ?? null;
	} catch {
		return null; // access can throw (e.g. storage disabled for the site)
	}
}

export function readLastUser(storage: Storage | null = local()): LastUser | null {
	const raw = storage?.getItem(LAST_USER_KEY);
	if (!raw) return null;
	try {
		return asLastUser(JSON.parse(raw));
	} catch {
		return null;
	}
}

export function writeLastUser(user: LastUser, storage: Storage | null = local()): void {
	const checked = asLastUser(user);
	if (!checked) throw new TypeError('writeLastUser: a user needs an id and a username');
	storage?.setItem(LAST_USER_KEY, JSON.stringify(checked));
}

export function clearLastUser(storage: Storage | null = local()): void {
	storage?.removeItem(LAST_USER_KEY);
}
