import { BrokenCircuitError, CircuitState, DelegateBackoff, handleWhen, retry, timeout, TimeoutStrategy, type IRetryBackoffContext, type RetryPolicy } from 'cockatiel';
import type { ChatCompletionChunk } from 'openai/resources/chat/completions';
import type { EventBus } from '../events/event-bus';
import { deltaExtraOf } from './delta-extra';
import { EventStream } from './event-stream';
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
/**
 * Why an attempt that failed or was left mid-stream closes its upstream request. Built once:
 * nobody reads it (the failure that got us here is what propagates), and an abort with no
 * reason would build a DOMException each time.
 */
const STREAM_ABANDONED = new Error('The stream was abandoned.');
/** A half-open probe the caller abandoned: it proved nothing, so the circuit stays open. */
class ProbeAbandonedError extends Error {
	override name = 'ProbeAbandonedError';
}
/**
 * Carries a failure past the retry policy untouched: after the first token nothing is retried.
 * A wrapper rather than a per-request predicate lets one retry policy per model serve every request.
 */
class AfterFirstToken {
	constructor(readonly error: unknown) {}
}

/** Where an attempt's events go. */
interface EventSink {
	push(event: OrchestratorEvent): void;
}

interface Attempt {
	firstTokenSeen: boolean;
}

/** One upstream stream past its first token: what its chunks said so far, and its idle watchdog. */
class StreamReader {
	finishReason: string | null = null;
	usage: ProviderUsage | null = null;
	/** When the wait for the next chunk began. */
	waitingSince = performance.now();
	watchdog: NodeJS.Timeout | undefined;

	constructor(
		private readonly queue: EventSink,
		readonly controller: AbortController,
		readonly idleMs: number,
		private model: string,
		/** /v1 calls: deltas carry what the chunk held besides text. */
		private readonly passThrough: boolean
	) {}

	take(chunk: ChatCompletionChunk): void {
		if (chunk.model) this.model = chunk.model;
		const choice = chunk.choices[0];
		const extra = this.passThrough && choice ? deltaExtraOf(choice) : undefined;
		if (extra) this.queue.push({ type: 'delta', text: choice?.delta?.content ?? '', extra });
		else if (choice?.delta?.content) this.queue.push({ type: 'delta', text: choice.delta.content });
		// The final usage chunk repeats finish_reason: the last one wins, nothing ends early.
		if (choice?.finish_reason) this.finishReason = choice.finish_reason;
		if (chunk.usage) this.usage = chunk.usage as ProviderUsage;
	}

	/** The end of the stream: it must have said why it finished. */
	finish(upstreamId: string): void {
		if (this.finishReason === null) throw new PrematureEndError();
		const u = this.usage;
		this.queue.push({
			type: 'finish',
			model: this.model,
			upstreamId,
			finishReason: this.finishReason,
			promptTokens: u?.prompt_tokens ?? null,
			completionTokens: u?.completion_tokens ?? null,
			costUsd: typeof u?.cost === 'number' ? u.cost : null
		});
	}
}

/**
 * The idle watchdog: one timer for the whole stream, not one per chunk. Each chunk only stamps
 * the time; a timer that fires early sleeps again for the rest of the silence still allowed.
 */
function onIdle(reader: StreamReader): void {
	const silentMs = performance.now() - reader.waitingSince;
	if (silentMs >= reader.idleMs) reader.controller.abort(new IdleTimeoutError());
	else reader.watchdog = setTimeout(onIdle, reader.idleMs - silentMs, reader);
}

function unwrapAfterFirstToken(error: unknown): never {
	throw error instanceof AfterFirstToken ? error.error : error;
}

export function createOrchestrator(upstream: Upstream, config: ResilienceConfig, bus: EventBus) {
	const breakers = new ModelBreakers(config.breakerThreshold, config.breakerHalfOpenAfterMs, bus);
	/** Upstream streams past their first token right now (for /metrics). */
	let streamsOpen = 0;
	const firstTokenTimeout = timeout(config.firstTokenTimeoutMs, { strategy: TimeoutStrategy.Aggressive, abortOnReturn: false });
	const backoff = new DelegateBackoff((context: IRetryBackoffContext<unknown>) => {
		const error = 'error' in context.result ? context.result.error : undefined;
		const hinted = retryAfterSeconds(error);
		if (hinted !== undefined) return Math.min(hinted * 1000, config.maxRetryAfterMs);
		const exponential = config.retryBaseDelayMs * 2 ** (context.attempt - 1);
		return exponential / 2 + Math.random() * (exponential / 2);
	});
	const retryPolicies = new Map<string, RetryPolicy>();

	/** Retries before the first token only (errors after it come wrapped), and never once the caller aborted. */
	function retryPolicyFor(model: string): RetryPolicy {
		let policy = retryPolicies.get(model);
		if (!policy) {
			policy = retry(handleWhen(isRetryable), { maxAttempts: config.maxRetries, backoff });
			policy.onRetry((event) => {
				const reason = 'error' in event ? toOrchestratorError(event.error, model, false).message : 'unexpected result';
				bus.emit({ type: 'retry', model, attempt: event.attempt, delayMs: Math.round(event.delay), reason });
			});
			retryPolicies.set(model, policy);
		}
		return policy;
	}

	/** Runs one model: retries (before the first token only) around the breaker around the whole stream. */
	function runModel(model: string, request: OrchestratorRequest, queue: EventSink): Promise<void> {
		const attempt: Attempt = { firstTokenSeen: false };
		const breaker = breakers.get(model);
		// The caller's signal goes to the retry policy too: cockatiel does not retry once it is aborted.
		return retryPolicyFor(model)
			.execute(async () => {
				// Half-open: one probe is in flight. Waiting on it could take a whole reply: fail fast.
				if (breaker.state === CircuitState.HalfOpen) throw new BrokenCircuitError();
				if (request.signal.aborted) throw new CallerAbortError();
				try {
					// cockatiel invokes the probe before it records the half-open state: "not closed" is the probe.
					await breaker.execute(() => streamOnce(model, request, queue, attempt, breaker.state !== CircuitState.Closed));
				} catch (error) {
					throw attempt.firstTokenSeen ? new AfterFirstToken(error) : error;
				}
			}, request.signal)
			.catch(unwrapAfterFirstToken);
	}

	/** One attempt: connect, wait for the first token, then forward chunks under the idle watchdog. */
	async function streamOnce(model: string, request: OrchestratorRequest, queue: EventSink, attempt: Attempt, probing: boolean) {
		// One controller per attempt: the caller's abort, the first-token timeout and the idle
		// watchdog all end it, and ending it closes the upstream socket.
		const controller = new AbortController();
		const relay = () => controller.abort(new CallerAbortError());
		request.signal.addEventListener('abort', relay, { once: true });
		let complete = false;
		try {
			const opened = await firstTokenTimeout.execute(({ signal }) => {
				signal.addEventListener('abort', () => controller.abort(new FirstTokenTimeoutError()), { once: true });
				return openStream(upstream, { ...request, model }, controller.signal);
			});
			attempt.firstTokenSeen = true;
			queue.push({ type: 'start', model: opened.model, upstreamId: opened.upstreamId });
			streamsOpen++;
			try {
				await pump(opened, new StreamReader(queue, controller, config.idleTimeoutMs, opened.model, request.params !== undefined));
				complete = true;
			} finally {
				streamsOpen--;
			}
		} catch (error) {
			if (request.signal.aborted) throw probing ? new ProbeAbandonedError() : new CallerAbortError();
			throw error;
		} finally {
			request.signal.removeEventListener('abort', relay);
			// A stream read to its end has nothing left to close; aborting it anyway would cost two
			// DOMExceptions (ours and the SDK's controller) per reply.
			if (!complete && !controller.signal.aborted) controller.abort(STREAM_ABANDONED);
		}
	}

	/** Forwards chunks with an idle watchdog; a stream must end with a finish_reason. */
	async function pump(opened: OpenedStream, reader: StreamReader) {
		for (const chunk of opened.head) reader.take(chunk);
		// Read once: the chunks need not stay alive for the rest of the stream.
		opened.head.length = 0;
		reader.watchdog = setTimeout(onIdle, reader.idleMs, reader);
		try {
			for (;;) {
				reader.waitingSince = performance.now();
				const next = await opened.rest.next();
				if (next.done) break;
				reader.take(next.value);
				for (let chunk = opened.rest.takeBuffered(); chunk; chunk = opened.rest.takeBuffered()) reader.take(chunk);
			}
		} finally {
			clearTimeout(reader.watchdog);
		}
		// The SDK ends an aborted stream without an error: the abort's reason says why.
		if (reader.controller.signal.aborted) throw reader.controller.signal.reason;
		reader.finish(opened.upstreamId);
	}

	const orchestrator: Orchestrator & { breakers: ModelBreakers; readonly streamsOpen: number } = {
		breakers,
		get streamsOpen() {
			return streamsOpen;
		},
		stream(request) {
			const out: EventStream<OrchestratorEvent> = new EventStream(() => void produce(request, out).catch((error: unknown) => out.fail(error)));
			return out;
		}
	};

	/** Runs the models in turn into `out`: the next one only while no token has been sent, and only for a failure that allows it. */
	async function produce(request: OrchestratorRequest, out: EventStream<OrchestratorEvent>): Promise<void> {
		const asked = request.models.length > 0 ? request.models : [upstream.config.defaultModel];
		// A request that names no fallbacks gets the configured ones.
		const models = [...new Set(asked.length > 1 ? asked : [...asked, ...config.fallbackModels])];
		let model = models[0] as string;
		let started = false;
		const sink: EventSink = {
			push(event) {
				if (event.type === 'start') started = true;
				out.push(event);
			}
		};
		// A Stop during a retry's backoff must not wait for the backoff to end.
		const onAbort = () => out.fail(new OrchestratorError('cancelled', 'Stopped.', { model, afterFirstToken: started }));
		request.signal.addEventListener('abort', onAbort, { once: true });
		try {
			for (let i = 0; i < models.length; i++) {
				model = models[i] as string;
				try {
					await runModel(model, request, sink);
					out.end();
					return;
				} catch (raw) {
					const error = request.signal.aborted
						? new OrchestratorError('cancelled', 'Stopped.', { model, afterFirstToken: started })
						: toOrchestratorError(raw, model, started);
					const next = models[i + 1];
					if (started || !next || !allowsFallback(error)) {
						out.fail(error);
						return;
					}
					bus.emit({ type: 'fallback', from: model, to: next, reason: error.message });
				}
			}
		} finally {
			request.signal.removeEventListener('abort', onAbort);
		}
	}

	return orchestrator;
}

export type PolicyOrchestrator = ReturnType<typeof createOrchestrator>;
