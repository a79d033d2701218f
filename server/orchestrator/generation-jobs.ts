import { and, eq, inArray } from 'drizzle-orm';
import { randomUUID } from 'node:crypto';
import { parseUsd } from '../../src/lib/domain/money';
import type { Db } from '../db/client';
import { conversations, generations, messages } from '../db/schema';
import type { EventBus } from '../events/event-bus';
import type { Logger } from '../log';
import { EventLog, isTerminalEvent, type GenerationEvent } from './job-events';
import { OrchestratorError } from './orchestrator-error';
import type { BatchedWriter } from '../db/batched-writer';
import { priceCall, VariablePriceModelError } from '../ledger/admission';
import { UnknownModelError } from '../ledger/catalog';
import { BudgetExceededError } from '../ledger/ledger-errors';
import type { Ledger } from '../ledger/ledger';
import { meteredStream, type MeteredDeps } from '../ledger/metered-stream';
import type { ModelCatalog } from '../ledger/catalog';

export interface JobMetering extends MeteredDeps {
	writer: BatchedWriter;
	ledger: Ledger;
	catalog: ModelCatalog;
}

/** Refusals at admission: the reply fails with the reason, no provider is called. */
function isAdmissionError(error: unknown): boolean {
	return error instanceof BudgetExceededError || error instanceof UnknownModelError || error instanceof VariablePriceModelError;
}
import type { ChatTurn } from './upstream';

export interface Job {
	id: string;
	userId: string;
	assistantMessageId: string;
	log: EventLog;
	abort: AbortController;
}

export interface StartJob {
	userId: string;
	conversationId: string;
	parentId: string;
	models: string[];
	history: ChatTurn[];
}

/** Finished jobs stay replayable from memory this long; after that, attach serves a snapshot. */
const KEEP_FINISHED_MS = 5 * 60 * 1000;
/** The growing reply is written at most this often: a write per token would cost an fsync each. */
const FLUSH_INTERVAL_MS = 250;
export const SERVER_RESTARTED = 'The server restarted while this reply was being written; the text so far is kept.';

/**
 * Runs each reply as a server-side job with a row in `generations` that outlives the request
 * that started it and every client watching it. Exactly one terminal state is written per job.
 */
export class GenerationJobs {
	#jobs = new Map<string, Job>();
	#timers = new Set<NodeJS.Timeout>();
	#running = new Set<Promise<void>>();

	constructor(
		private readonly db: Db,
		private readonly metering: JobMetering,
		private readonly bus: EventBus,
		private readonly log: Logger
	) {}

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
			if (ids.length) tx.update(messages).set({ status: 'failed' }).where(inArray(messages.id, ids)).run();
			return stale.length;
		});
	}

	start(input: StartJob): { generationId: string; assistantMessageId: string } {
		const job: Job = {
			id: randomUUID(),
			userId: input.userId,
			assistantMessageId: randomUUID(),
			log: new EventLog(),
			abort: new AbortController()
		};
		const now = Date.now();
		this.db.transaction((tx) => {
			tx.insert(messages)
				.values({
					id: job.assistantMessageId,
					conversationId: input.conversationId,
					parentId: input.parentId,
					role: 'assistant',
					content: '',
					status: 'streaming',
					model: input.models[0] ?? null,
					generationId: job.id,
					createdAt: now
				})
				.run();
			tx.insert(generations)
				.values({
					id: job.id,
					userId: input.userId,
					conversationId: input.conversationId,
					userMessageId: input.parentId,
					assistantMessageId: job.assistantMessageId,
					models: input.models,
					state: 'requested',
					createdAt: now
				})
				.run();
		});
		this.#jobs.set(job.id, job);
		const running = this.#run(job, input).finally(() => this.#running.delete(running));
		this.#running.add(running);
		return { generationId: job.id, assistantMessageId: job.assistantMessageId };
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

	/** Shutdown: ends every running job (each writes its terminal state) and waits for them. */
	async stopAll(): Promise<void> {
		for (const job of this.#jobs.values()) if (!job.log.closed) job.abort.abort();
		await Promise.allSettled([...this.#running]);
		for (const timer of this.#timers) clearTimeout(timer);
		this.#timers.clear();
	}

	async #run(job: Job, input: StartJob): Promise<void> {
		const { writer, ledger, catalog } = this.metering;
		let text = '';
		let flushedLength = 0;
		let lastFlush = 0;
		let answeredBy: string | null = null;
		let final: GenerationEvent = { type: 'failed', reason: 'The reply ended without a result.' };
		// Throttled and batched: a write per token would cost an fsync each.
		const flush = () => {
			if (text.length === flushedLength) return;
			const content = text;
			void writer.run(() => this.db.update(messages).set({ content }).where(eq(messages.id, job.assistantMessageId)).run());
			flushedLength = text.length;
			lastFlush = Date.now();
		};
		try {
			// Admission: a known model, its worst case reserved against every budget, or no call at all.
			await catalog.loaded();
			const priced = priceCall(catalog, input.models, input.history);
			await ledger.reserve({ generationId: job.id, userId: job.userId, model: input.models[0] ?? '', amountNanoUsd: priced.worstCaseNanoUsd });
			await writer.run(() =>
				this.db
					.update(generations)
					.set({ state: 'running', startedAt: Date.now(), maxTokens: priced.maxTokens, promptTokensEstimate: priced.promptTokensEstimate })
					.where(eq(generations.id, job.id))
					.run()
			);
			this.bus.emit({ type: 'generation', userId: job.userId, generationId: job.id, state: 'running' });
			for await (const event of meteredStream(this.metering, job.id, priced, {
				models: input.models,
				messages: input.history,
				userId: job.userId,
				signal: job.abort.signal
			})) {
				if (event.type === 'start') {
					answeredBy = event.model;
					job.log.push({ type: 'model', model: event.model });
				} else if (event.type === 'delta') {
					text += event.text;
					job.log.push(event);
					if (Date.now() - lastFlush >= FLUSH_INTERVAL_MS) flush();
				} else {
					answeredBy = event.model;
					final = { type: 'done', model: event.model, promptTokens: event.promptTokens, completionTokens: event.completionTokens, costUsd: event.costUsd };
				}
			}
		} catch (error) {
			if (error instanceof OrchestratorError && error.kind === 'cancelled') final = { type: 'cancelled' };
			else if (error instanceof OrchestratorError || isAdmissionError(error)) final = { type: 'failed', reason: (error as Error).message };
			else {
				final = { type: 'failed', reason: `Unexpected error: ${String(error)}` };
				this.log.error('generation crashed', { generationId: job.id, error });
			}
		}
		await this.#finish(job, input, text, answeredBy, final);
	}

	async #finish(job: Job, input: StartJob, text: string, answeredBy: string | null, final: GenerationEvent): Promise<void> {
		const now = Date.now();
		const state = final.type === 'done' ? 'done' : final.type === 'cancelled' ? 'cancelled' : 'failed';
		const tx = this.db;
		await this.metering.writer.run(() => {
			tx.update(messages)
				.set({ content: text, status: state === 'done' ? 'complete' : state, model: answeredBy ?? input.models[0] ?? null })
				.where(eq(messages.id, job.assistantMessageId))
				.run();
			tx.update(generations)
				.set({
					state,
					failureReason: final.type === 'failed' ? final.reason : null,
					finishedAt: now,
					...(final.type === 'done'
						? {
								tokensIn: final.promptTokens,
								tokensOut: final.completionTokens,
								costNanoUsd: final.costUsd === null ? null : parseUsd(final.costUsd)
							}
						: {})
				})
				.where(eq(generations.id, job.id))
				.run();
			tx.update(conversations).set({ activeLeafId: job.assistantMessageId, updatedAt: now }).where(eq(conversations.id, input.conversationId)).run();
		});
		if (!isTerminalEvent(final)) throw new Error('a job must end with a terminal event');
		job.log.push(final);
		this.bus.emit({
			type: 'generation',
			userId: job.userId,
			generationId: job.id,
			state,
			...(final.type === 'failed' ? { reason: final.reason } : {})
		});
		const timer = setTimeout(() => {
			this.#jobs.delete(job.id);
			this.#timers.delete(timer);
		}, KEEP_FINISHED_MS);
		timer.unref();
		this.#timers.add(timer);
	}
}
