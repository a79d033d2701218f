import type { Dexie, Transaction } from 'dexie';

/**
 * One step of the browser database's schema. Dexie keeps every declared step so a browser that
 * last ran an old build upgrades through each `upgrade` in turn.
 *
 * To change the schema, APPEND a step; never edit a step that has shipped:
 *
 *   {
 *     version: 2,
 *     // Only the tables whose indexes change; `null` drops a table.
 *     stores: { messages: 'id, [conversationId+createdAt], generationId' },
 *     // Rewrites rows written by version 1 (runs once, inside the version-change transaction).
 *     upgrade: (tx) => tx.table('messages').toCollection().modify((m) => { m.generationId ??= null; })
 *   }
 *
 * schema.test.ts opens a version-1 database with data, then a later one, and checks the data survived:
 * copy that test for each new step.
 *
 * The synced tables hold SERVER STATE ONLY (rows exactly as pulled). Changes not yet acknowledged
 * live only in the outbox; what the UI shows is computed by pending.ts.
 */
export interface SchemaStep {
	readonly version: number;
	readonly stores: Readonly<Record<string, string | null>>;
	readonly upgrade?: (tx: Transaction) => PromiseLike<unknown> | void;
}

export const SCHEMA: readonly SchemaStep[] = [
	{
		version: 1,
		stores: {
			conversations: 'id',
			// `where('conversationId')` is served by the compound index's prefix (a Dexie virtual
			// index): a separate conversationId index would only slow every pulled message down.
			messages: 'id, [conversationId+createdAt]',
			generations: 'id, assistantMessageId, conversationId',
			rejections: '[clientId+mutationId]',
			// Keys are mutation ids, allocated by mutate.ts (not auto-increment: they are the protocol's ids).
			outbox: 'id',
			meta: 'key',
			models: 'id'
		}
	}
];

export const CURRENT_SCHEMA_VERSION = SCHEMA[SCHEMA.length - 1]?.version ?? 1;

export function declareSchema(db: Dexie, steps: readonly SchemaStep[] = SCHEMA): void {
	for (const step of steps) {
		const version = db.version(step.version).stores({ ...step.stores });
		if (step.upgrade) version.upgrade(step.upgrade);
	}
}
