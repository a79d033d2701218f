import { and, eq, inArray } from 'drizzle-orm';
import { IMMEDIATE, type Db } from '../db/client';
import { generations, messages } from '../db/schema';
import type { EventBus } from '../events/event-bus';
import type { Logger } from '../log';
import { VariablePriceModelError } from '../ledger/admission';
import { UnknownModelError } from '../ledger/catalog';
import { BudgetExceededError, ReservationNotSavedError } from '../ledger/ledger-errors';
import type { JobMetering } from '../ledger/metering';
import { OrchestratorError } from '../orchestrator/orchestrator-error';
import type { ChatTurn } from '../orchestrator/upstream';
import { admit, endStateWrite, type GenerationEnd } from './admission';
import { EventLog, type GenerationEvent } from './job-events';

/** Refusals at admission (and a reservation that could not be saved): the reply fails with the reason, nothing is charged. */
function isAdmissionError(error: unknown): boolean {
	return (
		error instanceof BudgetExceededError ||
		error instanceof UnknownModelError ||
		error instanceof VariablePriceModelError ||
		error instanceof ReservationNotSavedError
	);
}

export interface Job {
	id: string;
	userId: string;
	conversationId: string;
	assistantMessageId: string;
	log: EventLog;
	abort: AbortController;
}

/** A reply whose rows (generation `requested`, assistant message `streaming`) are already written. */
export interface LaunchJob {
	generationId: string;
	userId: string;
	conversationId: string;
	assistantMessageId: string;
	models: string[];
	history: ChatTurn[];
	temperature?: number;
	maxTokens?: number;
}

/** Finished jobs stay replayable from memory this long; after that, attach serves a snapshot. */
const KEEP_FINISHED_MS = 5 * 60 * 1000;
/** The growing reply is written at most this often: a write per token would cost an fsync each. */
const FLUSH_INTERVAL_MS = 250;
export const SERVER_RESTARTED = 'The server restarted while this reply was being written; the text so far is kept.';

/**
 * Runs each reply as a server-side job that outlives the request that started it and every client
 * watching it. Exactly one terminal state is written per job.
 */
export class GenerationJobs {
	#jobs = new Map<string, Job>();
	#timers = new Set<NodeJS.Timeout>();
	#running = new Set<Promise<void>>();

	/**
	 * A reply's writes, which the writer's commit thread can run: its text so far, and its end with
	 * the conversation's time. Each matches the job's own reply only while it lives: by its
	 * generation too, because a deleted conversation frees its message ids and someone else's
	 * message may take one; and not once deleted, so its text does not come back under the tombstone.
	 */
	readonly #w;

	constructor(
		private readonly db: Db,
		private readonly metering: JobMetering,
		private readonly bus: EventBus,
		private readonly log: Logger
	) {
		const { writer } = metering;
		this.#w = {
			text: writer.statement<[content: string, messageId: string, generationId: string]>(
				'UPDATE messages SET content = ? WHERE id = ? AND generation_id = ? AND deleted_at IS NULL'
			),
			end: writer.statement<[content: string, status: string, model: string | null, messageId: string, generationId: string]>(
				'UPDATE messages SET content = ?, status = ?, model = ? WHERE id = ? AND generation_id = ? AND deleted_at IS NULL'
			),
			touch: writer.statement<[updatedAt: number, conversationId: string]>('UPDATE conversations SET updated_at = ? WHERE id = ?')
		};
	}

	/** At boot: jobs a crash left behind are failed, with their partial text kept. */
	recoverInterrupted(): number {
		return this.db.transaction((tx) => {
			const stale = tx
				.select({ id: generations.id, messageId: generations.assistantMessageId })
				.from(generations)
				.where(inArray(generations.state, ['requested', 'running']))
				.all();
			if (stale.length === 0) return 0;
			const now = Date.now();
			tx.update(generations)
				.set({ state: 'failed', failureReason: SERVER_RESTARTED, finishedAt: now })
				.where(inArray(generations.state, ['requested', 'running']))
				.run();
			const ids = stale.map((s) => s.messageId).filter((id): id is string => id !== null);
			if (ids.length) {
				tx.update(messages)
					.set({ status: 'failed' })
					.where(and(inArray(messages.id, ids), inArray(messages.generationId, stale.map((s) => s.id))))
					.run();
			}
			return stale.length;
		}, IMMEDIATE);
	}

	launch(input: LaunchJob): void {
		if (this.#jobs.has(input.generationId)) return;
		const job: Job = {
			id: input.generationId,
			userId: input.userId,
			conversationId: input.conversationId,
			assistantMessageId: input.assistantMessageId,
			log: new EventLog(),
			abort: new AbortController()
		};
		this.#jobs.set(job.id, job);
		const running = this.#run(job, input).finally(() => this.#running.delete(running));
		this.#running.add(running);
	}

	get runningCount(): number {
		return this.#running.size;
	}

	/** The live job when it exists and belongs to this user; someone else's id looks like a missing one. */
	find(generationId: string, userId: string): Job | undefined {
		const job = this.#jobs.get(generationId);
		return job && job.userId === userId ? job : undefined;
	}

	/**
	 * Events from `from` on: live from memory, or for a job no longer in memory a snapshot of the
	 * stored text and its terminal state. Null when the user has no such generation.
	 */
	attach(generationId: string, userId: string, from: number, signal: AbortSignal): AsyncGenerator<[number, GenerationEvent]> | null {
		const job = this.find(generationId, userId);
		if (job) return job.log.read(from, signal);
		const row = this.db
			.select({ state: generations.state, reason: generations.failureReason, model: generations.model, content: messages.content, tokensIn: generations.tokensIn, tokensOut: generations.tokensOut, cost: generations.costNanoUsd })
			.from(generations)
			.leftJoin(messages, eq(messages.id, generations.assistantMessageId))
			.where(and(eq(generations.id, generationId), eq(generations.userId, userId)))
			.get();
		if (!row) return null;
		const terminal: GenerationEvent =
			row.state === 'done'
				? { type: 'done', model: row.model ?? '', promptTokens: row.tokensIn, completionTokens: row.tokensOut, costUsd: row.cost === null ? null : row.cost / 1e9 }
				: row.state === 'cancelled'
					? { type: 'cancelled' }
					: { type: 'failed', reason: row.reason ?? 'The reply did not finish.' };
		const events: GenerationEvent[] = [{ type: 'snapshot', text: row.content ?? '' }, terminal];
		return (async function* () {
			for (const [i, event] of events.entries()) yield [from + i, event] as [number, GenerationEvent];
		})();
	}

	cancel(generationId: string, userId: string): boolean {
		const job = this.find(generationId, userId);
		if (!job || job.log.closed) return false;
		job.abort.abort();
		return true;
	}

	/** A deleted conversation's replies stop: nobody can see them any more. */
	cancelConversation(conversationId: string, userId: string): void {
		for (const [id, job] of this.#jobs) if (job.conversationId === conversationId) this.cancel(id, userId);
	}

	/** Shutdown: ends every running job (each writes its terminal state) and waits for them. */
	async stopAll(): Promise<void> {
		for (const job of this.#jobs.values()) if (!job.log.closed) job.abort.abort();
		await Promise.allSettled([...this.#running]);
		for (const timer of this.#timers) clearTimeout(timer);
		this.#timers.clear();
	}

	async #run(job: Job, input: LaunchJob): Promise<void> {
		const { writer } = this.metering;
		let text = '';
		let flushedLength = 0;
		let lastFlush = 0;
		let answeredBy: string | null = null;
		let end: GenerationEnd = { state: 'failed', reason: 'The reply ended without a result.' };
		// Throttled and batched: a write per token would cost an fsync each.
		const flush = () => {
			if (text.length === flushedLength) return;
			const content = text;
			writer
				.write([this.#w.text.call([content, job.assistantMessageId, job.id])], { commit: 'later' })
				.catch((error: unknown) => this.log.warn('could not save a streaming reply’s text so far; its end will', { generationId: job.id, error }));
			flushedLength = text.length;
			lastFlush = Date.now();
		};
		try {
			const { events, durable } = await admit(this.metering, {
				generationId: job.id,
				origin: 'app',
				userId: job.userId,
				models: input.models,
				messages: input.history,
				maxTokens: input.maxTokens,
				temperature: input.temperature,
				abort: job.abort
			});
			// Announced once the row says so: a client pulling on this poke must find it running.
			durable.then(
				() => {
					this.bus.emit({ type: 'generation', userId: job.userId, generationId: job.id, state: 'running' });
					this.bus.emit({ type: 'sync', userId: job.userId });
				},
				() => undefined
			);
			for await (const event of events) {
				if (event.type === 'start') {
					answeredBy = event.model;
					job.log.push({ type: 'model', model: event.model });
				} else if (event.type === 'delta') {
					text += event.text;
					job.log.push(event);
					if (Date.now() - lastFlush >= FLUSH_INTERVAL_MS) flush();
				} else {
					answeredBy = event.model;
					end = { state: 'done', finish: event };
				}
			}
		} catch (error) {
			if (error instanceof OrchestratorError && error.kind === 'cancelled') end = { state: 'cancelled', model: answeredBy };
			else if (error instanceof OrchestratorError || isAdmissionError(error)) end = { state: 'failed', reason: (error as Error).message, model: answeredBy };
			else {
				end = { state: 'failed', reason: `Unexpected error: ${String(error)}`, model: answeredBy };
				this.log.error('generation crashed', { generationId: job.id, error });
			}
		}
		await this.#finish(job, input, text, answeredBy, end);
	}

	async #finish(job: Job, input: LaunchJob, text: string, answeredBy: string | null, end: GenerationEnd): Promise<void> {
		const now = Date.now();
		const status = end.state === 'done' ? 'complete' : end.state;
		await this.metering.writer.write([
			this.#w.end.call([text, status, answeredBy ?? input.models[0] ?? null, job.assistantMessageId, job.id]),
			endStateWrite(this.metering.rows, job.id, end, now),
			this.#w.touch.call([now, input.conversationId])
		]);
		job.log.push(terminalEvent(end));
		this.bus.emit({
			type: 'generation',
			userId: job.userId,
			generationId: job.id,
			state: end.state,
			...(end.state === 'failed' ? { reason: end.reason } : {})
		});
		this.bus.emit({ type: 'sync', userId: job.userId });
		const timer = setTimeout(() => {
			this.#jobs.delete(job.id);
			this.#timers.delete(timer);
		}, KEEP_FINISHED_MS);
		timer.unref();
		this.#timers.add(timer);
	}
}

function terminalEvent(end: GenerationEnd): GenerationEvent {
	if (end.state === 'done') {
		const { model, promptTokens, completionTokens, costUsd } = end.finish;
		return { type: 'done', model, promptTokens, completionTokens, costUsd };
	}
	return end.state === 'cancelled' ? { type: 'cancelled' } : { type: 'failed', reason: end.reason };
}
