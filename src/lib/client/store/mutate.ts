import type { Mutation, MutationInput, MutationName } from '../../domain/sync';
import { conversationOfMutation, type ScopeLookup } from './outbox-scope';
import { readMeta, type OutboxEntry, type UserStore } from './db';

/** Arguments that fail the mutation's schema: `message` is for the person, `issues` for the developer. */
export class InvalidMutationError extends Error {
	override readonly name = 'InvalidMutationError';
	constructor(
		readonly mutation: MutationName,
		readonly issues: readonly { path: readonly PropertyKey[]; message: string }[]
	) {
		super(issues[0]?.message ?? `Invalid arguments for ${mutation}.`);
	}
}

/**
 * Queues a change for the server and returns its mutation id. With enqueueMany, the only writer of
 * the outbox. Arguments are validated (and defaults applied) here, so the outbox only ever holds
 * mutations the server's schema accepts; the server may still reject one for its own reasons
 * (ownership, deletes). Allocation and write share one strict transaction: ids never repeat or
 * skip, even across tabs, and the entry is on disk before this resolves.
 */
export async function enqueue<N extends MutationName>(
	store: UserStore,
	name: N,
	args: MutationInput<N>,
	now: number = Date.now()
): Promise<number> {
	const [id] = await enqueueMany(store, [{ name, args } as QueuedChange], now);
	return id as number;
}

/** A change to queue: a mutation name with its arguments as a client writes them. */
export type QueuedChange = { [N in MutationName]: { name: N; args: MutationInput<N> } }[MutationName];

/**
 * Queues several changes in ONE strict transaction: all or none (an import queues whole
 * conversations this way). Everything that is not an IndexedDB request — loading the schemas,
 * validating, finding each change's conversation — happens before the transaction opens, because
 * awaiting anything else inside it would let IndexedDB commit it early. Returns the ids, in order.
 */
export async function enqueueMany(store: UserStore, changes: readonly QueuedChange[], now: number = Date.now()): Promise<number[]> {
	// The schemas (zod) load with the first change a person makes, not with the app's first paint.
	const { MUTATION_ARGS } = await import('../../domain/sync/mutations');
	const lookup = storeLookup(store);
	const prepared: Array<Omit<OutboxEntry, 'id'>> = [];
	for (const { name, args } of changes) {
		const parsed = MUTATION_ARGS[name].safeParse(args);
		if (!parsed.success) throw new InvalidMutationError(name, parsed.error.issues);
		const conversationId = await conversationOfMutation({ name, args: parsed.data } as Pick<Mutation, 'name' | 'args'>, lookup);
		// The cast joins name and args, which TypeScript cannot correlate across the union.
		prepared.push({ name, args: parsed.data, createdAt: now, conversationId } as Omit<OutboxEntry, 'id'>);
	}
	const db = store.outboxDb;
	return db.transaction('rw', db.outbox, db.meta, async () => {
		const first = (await readMeta(db, 'nextMutationId')) ?? 1;
		const entries = prepared.map((entry, i) => ({ ...entry, id: first + i }) as OutboxEntry);
		await db.outbox.bulkAdd(entries);
		await db.meta.put({ key: 'nextMutationId', value: first + entries.length });
		return entries.map((e) => e.id);
	});
}

/** Where a message or a reply lives: in the synced rows, or still only in the outbox. */
export function storeLookup(store: Pick<UserStore, 'db'>): ScopeLookup {
	const { db } = store;
	return {
		async conversationOfMessage(id) {
			const row = await db.messages.get(id);
			if (row) return row.conversationId;
			const queued = await db.outbox.filter((e) => (e.name === 'message.create' && e.args.id === id) || (e.name === 'generation.request' && e.args.assistantMessageId === id)).first();
			return queued?.conversationId ?? null;
		},
		async conversationOfGeneration(id) {
			const row = await db.generations.get(id);
			if (row) return row.conversationId;
			const queued = await db.outbox.filter((e) => e.name === 'generation.request' && e.args.id === id).first();
			return queued?.conversationId ?? null;
		}
	};
}
