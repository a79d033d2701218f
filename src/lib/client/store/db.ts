import Dexie, { type DexieOptions, type Table } from 'dexie';
import { newId } from '../../domain/new-id';
import type { ConversationRow, GenerationRow, MessageRow, Mutation, RejectionRow } from '../../domain/sync';
import { declareSchema, SCHEMA, type SchemaStep } from './schema';

/**
 * A mutation waiting for the server. `id` is the protocol's mutation id (1, 2, 3 … per client);
 * `conversationId` (indexed) is the conversation it belongs to, so views read only their own.
 */
export type OutboxEntry = Mutation & { createdAt: number; conversationId: string | null };

/** Small per-database settings, one row each. */
export type MetaRow =
	| { key: 'clientId'; value: string }
	/** The version up to which pulled rows are stored. */
	| { key: 'cursor'; value: number }
	/** The id the next enqueued mutation takes. */
	| { key: 'nextMutationId'; value: number };
export type MetaKey = MetaRow['key'];
export type MetaValue<K extends MetaKey> = Extract<MetaRow, { key: K }>['value'];

/** The model catalog, cached for offline use; its shape belongs to the catalog, not to sync. */
export interface ModelRow {
	id: string;
	data: unknown;
}

/** The one database class. Open it through openUserStore, never at module top level (SSR/Node has no indexedDB). */
export class PhosphorDb extends Dexie {
	declare conversations: Table<ConversationRow, string>;
	declare messages: Table<MessageRow, string>;
	declare generations: Table<GenerationRow, string>;
	declare rejections: Table<RejectionRow, [string, number]>;
	declare outbox: Table<OutboxEntry, number>;
	declare meta: Table<MetaRow, string>;
	declare models: Table<ModelRow, string>;

	constructor(name: string, options: DexieOptions = {}, steps: readonly SchemaStep[] = SCHEMA) {
		super(name, options);
		declareSchema(this, steps);
	}
}

export async function readMeta<K extends MetaKey>(db: PhosphorDb, key: K): Promise<MetaValue<K> | undefined> {
	const row = await db.meta.get(key);
	return row?.value as MetaValue<K> | undefined;
}

/** One database per user, so a second person signing in on this browser never sees the first one's rows. */
export function userStoreName(userId: string): string {
	return `phosphor-${userId}`;
}

export interface UserStoreOptions {
	/** Another IndexedDB implementation (tests: `new IDBFactory()` from fake-indexeddb). */
	indexedDB?: IDBFactory;
	IDBKeyRange?: typeof IDBKeyRange;
}

/**
 * A user's database, opened twice: IndexedDB lets a transaction choose its durability only through
 * the connection, and the two kinds of write deserve different ones.
 * - `db` (relaxed): reads, liveQuery, pulled rows. A pull lost in a crash is simply pulled again.
 * - `outboxDb` (strict): the outbox. A person's change is on disk before enqueue() resolves.
 * Both are the same database: Dexie signals liveQuery by database name, so either one's writes wake
 * queries made through the other (db.test.ts checks this).
 */
export interface UserStore {
	readonly userId: string;
	/** This browser's sync identity for this user; kept in meta, so wiping the database renews it. */
	readonly clientId: string;
	readonly db: PhosphorDb;
	readonly outboxDb: PhosphorDb;
	close(): void;
}

export async function openUserStore(userId: string, options: UserStoreOptions = {}): Promise<UserStore> {
	const name = userStoreName(userId);
	const base: DexieOptions = {
		...(options.indexedDB ? { indexedDB: options.indexedDB } : {}),
		...(options.IDBKeyRange ? { IDBKeyRange: options.IDBKeyRange } : {})
	};
	const db = new PhosphorDb(name, { ...base, chromeTransactionDurability: 'relaxed' });
	const outboxDb = new PhosphorDb(name, { ...base, chromeTransactionDurability: 'strict' });
	try {
		await db.open();
		await outboxDb.open();
		const clientId = await ensureClientId(outboxDb);
		return {
			userId,
			clientId,
			db,
			outboxDb,
			close() {
				db.close();
				outboxDb.close();
			}
		};
	} catch (error) {
		db.close();
		outboxDb.close();
		throw error;
	}
}

/** The first open mints the client id; two tabs opening at once agree because this is one transaction. */
async function ensureClientId(db: PhosphorDb): Promise<string> {
	return db.transaction('rw', db.meta, async () => {
		const existing = await readMeta(db, 'clientId');
		if (existing !== undefined) return existing;
		const clientId = newId();
		await db.meta.put({ key: 'clientId', value: clientId });
		return clientId;
	});
}
