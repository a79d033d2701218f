import type { MutationInput, MutationName } from '../../domain/sync';
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
	return db.transaction('rw', db.outbox, db.meta, async () => {
		const id = (await readMeta(db, 'nextMutationId')) ?? 1;
		// The cast joins name and args, which TypeScript cannot correlate through the generic N.
		const entry = { id, name, args: parsed.data, createdAt: now } as OutboxEntry;
		await db.outbox.add(entry);
		await db.meta.put({ key: 'nextMutationId', value: id + 1 });
		return id;
	});
}
