import { eq } from 'drizzle-orm';
import { randomUUID } from 'node:crypto';
import type { Db } from '../db/client';
import { conversations, messages } from '../db/schema';
import type { Logger } from '../log';
import { EventLog, type GenerationEvent } from './job-events';
import type { ChatTurn, Upstream } from './upstream';

interface Job {
	id: string;
	userId: string;
	assistantMessageId: string;
	log: EventLog;
	abort: AbortController;
}

/** Finished jobs stay attachable this long, so a reload right after the end still sees it. */
const KEEP_FINISHED_MS = 5 * 60 * 1000;

/**
 * Runs each reply as a server-side job that outlives the request that started it.
 * The job writes the final assistant message to SQLite; clients attach to its event log.
 */
export class GenerationJobs {
	#jobs = new Map<string, Job>();
	#timers = new Set<NodeJS.Timeout>();

	constructor(
		private readonly db: Db,
		private readonly upstream: Upstream,
		private readonly log: Logger
	) {}

	start(input: { userId: string; conversationId: string; parentId: string; model: string; history: ChatTurn[] }) {
		const job: Job = {
			id: randomUUID(),
			userId: input.userId,
			assistantMessageId: randomUUID(),
			log: new EventLog(),
			abort: new AbortController()
		};
		this.db
			.insert(messages)
			.values({
				id: job.assistantMessageId,
				conversationId: input.conversationId,
				parentId: input.parentId,
				role: 'assistant',
				content: '',
				status: 'streaming',
				model: input.model,
				generationId: job.id,
				createdAt: Date.now()
			})
			.run();
		this.#jobs.set(job.id, job);
		void this.#run(job, input);
		return { generationId: job.id, assistantMessageId: job.assistantMessageId };
	}

	/** The job when it exists and belongs to this user; someone else's id looks like a missing one. */
	find(generationId: string, userId: string): Job | undefined {
		const job = this.#jobs.get(generationId);
		return job && job.userId === userId ? job : undefined;
	}

	cancel(generationId: string, userId: string): boolean {
		const job = this.find(generationId, userId);
		if (!job || job.log.closed) return false;
		job.abort.abort();
		return true;
	}

	/** Aborts every running job (shutdown) and waits for none: their final writes are synchronous. */
	stopAll(): void {
		for (const job of this.#jobs.values()) job.abort.abort();
		for (const timer of this.#timers) clearTimeout(timer);
		this.#timers.clear();
	}

	async #run(job: Job, input: { conversationId: string; model: string; history: ChatTurn[] }) {
		let text = '';
		let final: GenerationEvent;
		try {
			let usage: GenerationEvent | null = null;
			for await (const event of this.upstream.streamChat({
				model: input.model,
				messages: input.history,
				signal: job.abort.signal
			})) {
				if (event.type === 'delta') {
					text += event.text;
					job.log.push(event);
				} else {
					usage = {
						type: 'done',
						model: event.model,
						promptTokens: event.promptTokens,
						completionTokens: event.completionTokens,
						costUsd: event.cost
					};
				}
			}
			// The SDK ends the iteration quietly on abort, so "no error" does not mean "finished".
			if (job.abort.signal.aborted) final = { type: 'cancelled' };
			else final = usage ?? { type: 'done', model: input.model, promptTokens: 0, completionTokens: 0, costUsd: null };
		} catch (error) {
			final = job.abort.signal.aborted ? { type: 'cancelled' } : { type: 'failed', reason: describeFailure(error) };
			if (final.type === 'failed') this.log.warn('generation failed', { generationId: job.id, reason: final.reason });
		}
		const status = final.type === 'done' ? 'complete' : final.type === 'cancelled' ? 'cancelled' : 'failed';
		this.db.update(messages).set({ content: text, status }).where(eq(messages.id, job.assistantMessageId)).run();
		this.db
			.update(conversations)
			.set({ activeLeafId: job.assistantMessageId, updatedAt: Date.now() })
			.where(eq(conversations.id, input.conversationId))
			.run();
		job.log.push(final);
		const timer = setTimeout(() => {
			this.#jobs.delete(job.id);
			this.#timers.delete(timer);
		}, KEEP_FINISHED_MS);
		timer.unref();
		this.#timers.add(timer);
	}
}

/** A sentence a person can act on, not a stack trace. */
export function describeFailure(error: unknown): string {
	if (error && typeof error === 'object' && 'status' in error && typeof error.status === 'number') {
		const message = error instanceof Error ? error.message : '';
		return `The model provider answered ${error.status}${message ? `: ${message}` : ''}`;
	}
	if (error instanceof Error) return `The model provider could not be reached: ${error.message}`;
	return 'The model provider failed for an unknown reason.';
}
