import { BrokenCircuitError, CircuitState, DelegateBackoff, handleWhen, retry, timeout, TimeoutStrategy } from 'cockatiel';
import type { ChatCompletionChunk } from 'openai/resources/chat/completions';
import type { EventBus } from '../events/event-bus';
import { AsyncQueue } from './async-queue';
import {
	allowsFallback,
	FirstTokenTimeoutError,
	IdleTimeoutError,
	isRetryable,
	PrematureEndError,
	retryAfterSeconds,
	toOrchestratorError
} from './classify-failure';
import { ModelBreakers } from './model-breakers';
import { OrchestratorError } from './orchestrator-error';
import type { Orchestrator, OrchestratorEvent, OrchestratorRequest } from './orchestrator-types';
import type { ResilienceConfig } from './resilience-config';
import { openStream, type OpenedStream, type ProviderUsage, type Upstream } from './upstream';

/** The caller went away or pressed Stop: never a provider failure, never retried. */
class CallerAbortError extends Error {
	override name = 'AbortError';
}
/** A half-open probe the caller abandoned: it proved nothing, so the circuit stays open. */
class ProbeAbandonedError extends Error {
	override name = 'ProbeAbandonedError';
}

interface Attempt {
	firstTokenSeen: boolean;
}

export function createOrchestrator(upstream: Upstream, config: ResilienceConfig, bus: EventBus) {
	const breakers = new ModelBreakers(config.breakerThreshold, config.breakerHalfOpenAfterMs, bus);
	/** Upstream streams past their first token right now (for /metrics). */
	let streamsOpen = 0;
	const firstTokenTimeout = timeout(config.firstTokenTimeoutMs, { strategy: TimeoutStrategy.Aggressive, abortOnReturn: false });

	/** Runs one model: retries (before the first token only) around the breaker around the whole stream. */
	async function runModel(model: string, request: OrchestratorRequest, queue: AsyncQueue<OrchestratorEvent>): Promise<void> {
		const attempt: Attempt = { firstTokenSeen: false };
		const retryPolicy = retry(
			handleWhen((error) => !attempt.firstTokenSeen && !request.signal.aborted && isRetryable(error)),
			{
				maxAttempts: config.maxRetries,
				backoff: new DelegateBackoff((context) => {
					const error = 'error' in context.result ? context.result.error : undefined;
					const hinted = retryAfterSeconds(error);
					if (hinted !== undefined) return Math.min(hinted * 1000, config.maxRetryAfterMs);
					const exponential = config.retryBaseDelayMs * 2 ** (context.attempt - 1);
					return exponential / 2 + Math.random() * (exponential / 2);
				})
			}
		);
		retryPolicy.onRetry((event) => {
			const reason = 'error' in event ? toOrchestratorError(event.error, model, false).message : 'unexpected result';
			bus.emit({ type: 'retry', model, attempt: event.attempt, delayMs: Math.round(event.delay), reason });
		});
		const breaker = breakers.get(model);
		await retryPolicy.execute(async () => {
			// Half-open: one probe is in flight. Waiting on it could take a whole reply: fail fast.
			if (breaker.state === CircuitState.HalfOpen) throw new BrokenCircuitError();
			if (request.signal.aborted) throw new CallerAbortError();
			await breaker.execute(async () => {
				// cockatiel invokes the probe before it records the half-open state: "not closed" is the probe.
				const probing = breaker.state !== CircuitState.Closed;
				try {
					await streamOnce(model, request, queue, attempt);
				} catch (error) {
					if (request.signal.aborted) throw probing ? new ProbeAbandonedError() : new CallerAbortError();
					throw error;
				}
			});
		});
	}

	async function streamOnce(model: string, request: OrchestratorRequest, queue: AsyncQueue<OrchestratorEvent>, attempt: Attempt) {
		// One controller per attempt: the caller's abort, the first-token timeout and the idle
		// watchdog all end it, and ending it closes the upstream socket.
		const controller = new AbortController();
		const onCallerAbort = () => controller.abort(new CallerAbortError());
		request.signal.addEventListener('abort', onCallerAbort, { once: true });
		try {
			const opened = await firstTokenTimeout.execute(({ signal }) => {
				signal.addEventListener('abort', () => controller.abort(new FirstTokenTimeoutError()), { once: true });
				return openStream(upstream, { ...request, model }, controller.signal);
			});
			attempt.firstTokenSeen = true;
			queue.push({ type: 'start', model: opened.model, upstreamId: opened.upstreamId });
			streamsOpen++;
			try {
				await pump(opened, controller, queue);
			} finally {
				streamsOpen--;
			}
		} finally {
			request.signal.removeEventListener('abort', onCallerAbort);
			if (!controller.signal.aborted) controller.abort();
		}
	}

	/** Forwards chunks with an idle watchdog; a stream must end with a finish_reason. */
	async function pump(opened: OpenedStream, controller: AbortController, queue: AsyncQueue<OrchestratorEvent>) {
		let finishReason: string | null = null;
		let usage: ProviderUsage | null = null;
		let model = opened.model;
		const take = (chunk: ChatCompletionChunk) => {
			if (chunk.model) model = chunk.model;
			const choice = chunk.choices[0];
			if (choice?.delta?.content) queue.push({ type: 'delta', text: choice.delta.content });
			// The final usage chunk repeats finish_reason: the last one wins, nothing ends early.
			if (choice?.finish_reason) finishReason = choice.finish_reason;
			if (chunk.usage) usage = chunk.usage as ProviderUsage;
		};
		opened.head.forEach(take);
		let watchdog: NodeJS.Timeout | undefined;
		const arm = () => {
			clearTimeout(watchdog);
			watchdog = setTimeout(() => controller.abort(new IdleTimeoutError()), config.idleTimeoutMs);
		};
		try {
			for (;;) {
				arm();
				const next = await opened.rest.next();
				if (next.done) break;
				take(next.value);
			}
		} finally {
			clearTimeout(watchdog);
		}
		// The SDK ends an aborted stream without an error: the abort's reason says why.
		if (controller.signal.aborted) throw controller.signal.reason;
		if (finishReason === null) throw new PrematureEndError();
		const u = usage as ProviderUsage | null;
		queue.push({
			type: 'finish',
			model,
			upstreamId: opened.upstreamId,
			finishReason,
			promptTokens: u?.prompt_tokens ?? null,
			completionTokens: u?.completion_tokens ?? null,
			costUsd: typeof u?.cost === 'number' ? u.cost : null
		});
	}

	const orchestrator: Orchestrator & { breakers: ModelBreakers; readonly streamsOpen: number } = {
		breakers,
		get streamsOpen() {
			return streamsOpen;
		},
		async *stream(request) {
			const asked = request.models.length > 0 ? request.models : [upstream.config.defaultModel];
			// A request that names no fallbacks gets the configured ones.
			const models = [...new Set(asked.length > 1 ? asked : [...asked, ...config.fallbackModels])];
			for (let i = 0; i < models.length; i++) {
				const model = models[i] as string;
				const queue = new AsyncQueue<OrchestratorEvent>();
				let started = false;
				const run = runModel(model, request, queue).then(
					() => queue.end(),
					(error: unknown) => queue.fail(error)
				);
				// A Stop during a retry's backoff must not wait for the backoff to end.
				const onAbort = () => queue.fail(new CallerAbortError());
				request.signal.addEventListener('abort', onAbort, { once: true });
				try {
					for await (const event of queue) {
						if (event.type === 'start') started = true;
						yield event;
					}
					await run;
					return;
				} catch (raw) {
					const error = request.signal.aborted
						? new OrchestratorError('cancelled', 'Stopped.', { model, afterFirstToken: started })
						: toOrchestratorError(raw, model, started);
					const next = models[i + 1];
					if (started || !next || !allowsFallback(error)) throw error;
					bus.emit({ type: 'fallback', from: model, to: next, reason: error.message });
				} finally {
					request.signal.removeEventListener('abort', onAbort);
				}
			}
		}
	};
	return orchestrator;
}

export type PolicyOrchestrator = ReturnType<typeof createOrchestrator>;
