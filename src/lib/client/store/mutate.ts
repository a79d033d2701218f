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
 * Queues a change for the server and returns its mutation id. The only writer of the outbox.
 * Arguments are validated (and defaults applied) here, so the outbox only ever holds mutations the
 * server's schema accepts; the server may still reject one for its own reasons (ownership, deletes).
 * Allocation and write share one strict transaction: ids never repeat or skip, even across tabs,
 * and the entry is on disk before this resolves.
 */
export async function enqueue<N extends MutationName>(
	store: UserStore,
	name: N,
	args: MutationInput<N>,
	now: number = Date.now()
): Promise<number> {
	// The schemas (zod) load with the first change a person makes, not with the app's first paint.
	const { MUTATION_ARGS } = await import('../../domain/sync/mutations');
	const parsed = MUTATION_ARGS[name].safeParse(args);
	if (!parsed.success) throw new InvalidMutationError(name, parsed.error.issues);
	const db = store.outboxDb;
	const conversationId = await conversationOfMutation({ name, args: parsed.data } as Pick<Mutation, 'name' | 'args'>, storeLookup(store));
	return db.transaction('rw', db.outbox, db.meta, async () => {
		const id = (await readMeta(db, 'nextMutationId')) ?? 1;
		// The cast joins name and args, which TypeScript cannot correlate through the generic N.
		const entry = { id, name, args: parsed.data, createdAt: now, conversationId } as OutboxEntry;
		await db.outbox.add(entry);
		await db.meta.put({ key: 'nextMutationId', value: id + 1 });
		return id;
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
