import type { Dexie, Transaction } from 'dexie';
import type { Mutation } from '../../domain/sync';
import { conversationOfMutation, type ScopeLookup } from './outbox-scope';

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
	},
	{
		// Queued changes by conversation: a view reads, and is woken by, its own conversation's only.
		version: 2,
		stores: { outbox: 'id, conversationId' },
		upgrade: async (tx) => {
			const outbox = tx.table('outbox');
			const messages = tx.table('messages');
			const generations = tx.table('generations');
			const entries = (await outbox.toArray()) as OutboxEntryV1[];
			const lookup: ScopeLookup = {
				conversationOfMessage: async (id) =>
					((await messages.get(id)) as { conversationId: string } | undefined)?.conversationId ??
					entries.find((e) => (e.name === 'message.create' && e.args.id === id) || (e.name === 'generation.request' && e.args.assistantMessageId === id))?.args.conversationId ??
					null,
				conversationOfGeneration: async (id) =>
					((await generations.get(id)) as { conversationId: string } | undefined)?.conversationId ??
					entries.find((e) => e.name === 'generation.request' && e.args.id === id)?.args.conversationId ??
					null
			};
			for (const entry of entries) await outbox.put({ ...entry, conversationId: await conversationOfMutation(entry as Mutation, lookup) });
		}
	}
];

/** Version 1 outbox entries: the mutation without its conversation. */
type OutboxEntryV1 = { id: number; name: string; args: { id?: string; conversationId?: string; assistantMessageId?: string } };

export const CURRENT_SCHEMA_VERSION = SCHEMA[SCHEMA.length - 1]?.version ?? 1;

export function declareSchema(db: Dexie, steps: readonly SchemaStep[] = SCHEMA): void {
	for (const step of steps) {
		const version = db.version(step.version).stores({ ...step.stores });
		if (step.upgrade) version.upgrade(step.upgrade);
	}
}
