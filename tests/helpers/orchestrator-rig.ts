import { EventBus, type StampedEvent } from '../../server/events/event-bus';
import { createOrchestrator } from '../../server/orchestrator/orchestrator';
import { OrchestratorError } from '../../server/orchestrator/orchestrator-error';
import type { OrchestratorEvent } from '../../server/orchestrator/orchestrator-types';
import type { ResilienceConfig } from '../../server/orchestrator/resilience-config';
import { createUpstream } from '../../server/orchestrator/upstream';
import type { Simulator } from '../../server/simulator';

/** Small limits so every failure path ends in well under a second. */
export const FAST: ResilienceConfig = {
	firstTokenTimeoutMs: 400,
	idleTimeoutMs: 300,
	maxRetries: 2,
	retryBaseDelayMs: 5,
	maxRetryAfterMs: 3_000,
	breakerThreshold: 3,
	breakerHalfOpenAfterMs: 300,
	fallbackModels: []
};

export function rig(sim: Pick<Simulator, 'url'>, overrides: Partial<ResilienceConfig> = {}) {
	const bus = new EventBus();
	const busEvents: StampedEvent[] = [];
	bus.subscribe((e) => busEvents.push(e));
	const upstream = createUpstream({ baseURL: sim.url, apiKey: 'test', referer: 'http://localhost', defaultModel: 'sim/echo-mini', simulated: true });
	const orchestrator = createOrchestrator(upstream, { ...FAST, ...overrides }, bus);
	return { bus, busEvents, orchestrator };
}

export interface Outcome {
	events: OrchestratorEvent[];
	text: string;
	error: OrchestratorError | null;
	/** Anything thrown that is not an OrchestratorError: always a bug. */
	crash: unknown;
	ms: number;
}

/** Runs one request to its end and reports what happened, never throwing. */
export async function run(
	orchestrator: ReturnType<typeof createOrchestrator>,
	content: string,
	opts: { models?: string[]; signal?: AbortSignal; onEvent?: (e: OrchestratorEvent) => void } = {}
): Promise<Outcome> {
	const started = performance.now();
	const events: OrchestratorEvent[] = [];
	let error: OrchestratorError | null = null;
	let crash: unknown = null;
	try {
		for await (const event of orchestrator.stream({
			models: opts.models ?? ['sim/echo-mini'],
			messages: [{ role: 'user', content }],
			signal: opts.signal ?? new AbortController().signal
		})) {
			events.push(event);
			opts.onEvent?.(event);
		}
	} catch (e) {
		if (e instanceof OrchestratorError) error = e;
		else crash = e;
	}
	const text = events.map((e) => (e.type === 'delta' ? e.text : '')).join('');
	return { events, text, error, crash, ms: performance.now() - started };
}

export const completions = (sim: Simulator) => sim.stats.requests['/api/v1/chat/completions'] ?? 0;

export async function until(check: () => boolean, timeoutMs = 2_000): Promise<number> {
	const started = performance.now();
	while (!check()) {
		if (performance.now() - started > timeoutMs) throw new Error(`condition not met within ${timeoutMs} ms`);
		await new Promise((r) => setTimeout(r, 5));
	}
	return performance.now() - started;
}
