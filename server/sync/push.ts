import { eq } from 'drizzle-orm';
import { isMutationName, MUTATION_ARGS, type PushRequest, type PushResponse } from '../../src/lib/domain/sync';
import type { Db } from '../db/client';
import { syncClients, syncRejections } from '../db/schema';
import type { BatchedWriter } from '../db/batched-writer';
import type { EventBus } from '../events/event-bus';
import type { GenerationJobs } from '../generations/generation-jobs';
import type { Logger } from '../log';
import { describeZodError } from '../trpc/describe-zod-error';
import { MUTATION_HANDLERS, type MutationContext } from './mutation-handlers';
import { MutationRejected } from './mutation-rejected';

export interface PushDeps {
	db: Db;
	writer: BatchedWriter;
	jobs: GenerationJobs;
	bus: EventBus;
	log: Logger;
}

/** A push naming a client id that belongs to someone else: refused whole, nothing changes. */
export class ForeignClientError extends Error {
	override name = 'ForeignClientError';
	constructor() {
		super('That client id belongs to another user. Sign in again on this device.');
	}
}

/**
 * Applies a client's mutations in order (docs/architecture.md#sync). Ids at or below the client's
 * last are duplicates and skipped; a gap stops the batch (the client resends from there); each
 * other mutation applies in its own savepoint or is recorded as rejected with a reason — either
 * way `last` advances, so one bad mutation never wedges a device. The whole push is one group
 * commit: the response is sent only once it is durable. Jobs start and stop after the commit.
 */
export async function push(deps: PushDeps, userId: string, request: PushRequest): Promise<PushResponse> {
	const effects: Array<() => void> = [];
	let changed = false;
	const response = await deps.writer.run(() => {
		const now = Date.now();
		const client = deps.db.select().from(syncClients).where(eq(syncClients.clientId, request.clientId)).get();
		if (client && client.userId !== userId) throw new ForeignClientError();
		if (!client) deps.db.insert(syncClients).values({ clientId: request.clientId, userId, lastMutationId: 0, lastSeenAt: now }).run();
		let last = client?.lastMutationId ?? 0;
		const rejected: PushResponse['rejected'] = [];
		for (const mutation of request.mutations) {
			if (mutation.id <= last) continue;
			if (mutation.id > last + 1) break;
			const local: Array<() => void> = [];
			try {
				apply(deps, userId, mutation.name, mutation.args, local);
				effects.push(...local);
			} catch (error) {
				const reason = error instanceof MutationRejected ? error.message : 'The server could not apply this change.';
				if (!(error instanceof MutationRejected)) deps.log.error('sync: a mutation failed unexpectedly; recorded as rejected', { name: mutation.name, error });
				deps.db.insert(syncRejections).values({ clientId: request.clientId, mutationId: mutation.id, userId, name: mutation.name.slice(0, 64), reason, createdAt: now }).run();
				rejected.push({ id: mutation.id, reason });
			}
			last = mutation.id;
			changed = true;
		}
		deps.db.update(syncClients).set({ lastMutationId: last, lastSeenAt: now }).where(eq(syncClients.clientId, request.clientId)).run();
		return { lastMutationId: last, rejected };
	});
	for (const effect of effects) effect();
	if (changed) deps.bus.emit({ type: 'sync', userId });
	return response;
}

function apply(deps: PushDeps, userId: string, name: string, rawArgs: unknown, after: Array<() => void>): void {
	if (!isMutationName(name)) throw new MutationRejected(`"${name}" is not a change this server knows. Update the app.`);
	const parsed = MUTATION_ARGS[name].safeParse(rawArgs);
	if (!parsed.success) throw new MutationRejected(`Invalid ${name} — ${describeZodError(parsed.error)}`);
	// Its own savepoint: a mutation that throws half-way leaves nothing behind.
	deps.db.transaction((tx) => {
		const ctx: MutationContext = { tx, userId, jobs: deps.jobs, after: (effect) => after.push(effect) };
		// TypeScript cannot correlate `name` with `parsed.data` across the union; the parse above did.
		(MUTATION_HANDLERS[name] as (ctx: MutationContext, args: unknown) => void)(ctx, parsed.data);
	});
}
