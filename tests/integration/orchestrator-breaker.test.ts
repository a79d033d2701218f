import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimulator, type Simulator } from '../../server/simulator';
import { completions, rig, run, until } from '../helpers/orchestrator-rig';

const FAIL = 'x [[sim:status=500]]';
const MID_STREAM_FAIL = 'x [[sim:reset-after=2]]';

describe('circuit breaker per model, fallbacks and aborts', () => {
	let sim: Simulator;
	beforeAll(async () => {
		sim = await startSimulator({ port: 0 });
	});
	afterAll(() => sim.close());

	const breakerStates = (events: ReturnType<typeof rig>['busEvents'], model = 'sim/echo-mini') =>
		events.flatMap(({ event }) => (event.type === 'breaker' && event.model === model ? [event.state] : []));

	it('opens after N consecutive failures, then rejects in under 5 ms without calling upstream', async () => {
		const { orchestrator, busEvents } = rig(sim, { maxRetries: 0 });
		for (let i = 0; i < 3; i++) expect((await run(orchestrator, FAIL)).error?.kind).toBe('upstream');
		expect(breakerStates(busEvents)).toEqual(['open']);

		const before = completions(sim);
		const timings: number[] = [];
		for (let i = 0; i < 20; i++) {
			const outcome = await run(orchestrator, 'fine now');
			expect(outcome.error?.kind).toBe('unavailable');
			timings.push(outcome.ms);
		}
		expect(completions(sim)).toBe(before);
		timings.sort((a, b) => a - b);
		expect(timings[Math.floor(timings.length / 2)]).toBeLessThan(5);
	});

	it('counts failures after the first token too: mid-stream resets open the circuit', async () => {
		const { orchestrator, busEvents } = rig(sim, { maxRetries: 0 });
		for (let i = 0; i < 3; i++) {
			const outcome = await run(orchestrator, MID_STREAM_FAIL);
			expect(outcome.error?.details.afterFirstToken).toBe(true);
		}
		expect(breakerStates(busEvents)).toEqual(['open']);
	});

	it('does not count user aborts: many stopped replies leave the circuit closed', async () => {
		const { orchestrator, busEvents } = rig(sim, { maxRetries: 0 });
		for (let i = 0; i < 6; i++) {
			const controller = new AbortController();
			const outcome = await run(orchestrator, 'slow [[sim:trickle=20]]', {
				signal: controller.signal,
				onEvent: (e) => e.type === 'delta' && controller.abort()
			});
			expect(outcome.error?.kind).toBe('cancelled');
		}
		// And aborts before the first token do not count either.
		for (let i = 0; i < 6; i++) {
			const controller = new AbortController();
			setTimeout(() => controller.abort(), 20);
			expect((await run(orchestrator, 'x [[sim:hang]]', { signal: controller.signal })).error?.kind).toBe('cancelled');
		}
		expect(breakerStates(busEvents)).toEqual([]);
		expect((await run(orchestrator, 'still fine')).error).toBeNull();
	});

	it('half-open: one probe passes, other callers fail fast instead of waiting on it, success closes', async () => {
		const { orchestrator, busEvents } = rig(sim, { maxRetries: 0, breakerHalfOpenAfterMs: 100 });
		for (let i = 0; i < 3; i++) await run(orchestrator, FAIL);
		await new Promise((r) => setTimeout(r, 120));

		// The probe is slow: about 30 chunks 20 ms apart.
		const probe = run(orchestrator, 'probe [[sim:trickle=20 len=30]]');
		await until(() => breakerStates(busEvents).includes('half-open'));
		const waiter = await run(orchestrator, 'while probing');
		expect(waiter.error?.kind).toBe('unavailable');
		// Fails at once, not when the probe ends (≥ 600 ms away); the margin is wide for a loaded machine.
		let probeEnded = false;
		void probe.then(() => (probeEnded = true));
		await Promise.resolve();
		expect(probeEnded).toBe(false);
		expect(waiter.ms).toBeLessThan(300);

		expect((await probe).error).toBeNull();
		expect(breakerStates(busEvents)).toEqual(['open', 'half-open', 'closed']);
		expect((await run(orchestrator, 'after')).error).toBeNull();
	});

	it('a user abort of the half-open probe neither closes the circuit nor counts as a new failure run', async () => {
		const { orchestrator, busEvents } = rig(sim, { maxRetries: 0, breakerHalfOpenAfterMs: 100 });
		for (let i = 0; i < 3; i++) await run(orchestrator, FAIL);
		await new Promise((r) => setTimeout(r, 120));
		const controller = new AbortController();
		const outcome = await run(orchestrator, 'probe [[sim:trickle=20]]', {
			signal: controller.signal,
			onEvent: (e) => e.type === 'delta' && controller.abort()
		});
		expect(outcome.error?.kind).toBe('cancelled');
		// The abandoned probe proved nothing: the circuit is open again, never closed.
		await until(() => breakerStates(busEvents).length === 3);
		expect(breakerStates(busEvents)).toEqual(['open', 'half-open', 'open']);
	});

	it('a user abort closes the upstream socket within 1 s, in every breaker state', async () => {
		const abortAndMeasure = async (orchestrator: ReturnType<typeof rig>['orchestrator']) => {
			const controller = new AbortController();
			const aborted = sim.stats.abortedByClient;
			let abortedAt = 0;
			const outcome = await run(orchestrator, 'slow [[sim:trickle=20]]', {
				signal: controller.signal,
				onEvent: (e) => {
					if (e.type === 'delta' && !abortedAt) {
						abortedAt = performance.now();
						controller.abort();
					}
				}
			});
			expect(outcome.error?.kind).toBe('cancelled');
			await until(() => sim.stats.abortedByClient > aborted, 1_000);
			return performance.now() - abortedAt;
		};
		// Closed.
		const closed = rig(sim, { maxRetries: 0, breakerHalfOpenAfterMs: 100 });
		expect(await abortAndMeasure(closed.orchestrator)).toBeLessThan(1_000);
		// Half-open (the aborted call is the probe).
		for (let i = 0; i < 3; i++) await run(closed.orchestrator, FAIL);
		await new Promise((r) => setTimeout(r, 120));
		expect(await abortAndMeasure(closed.orchestrator)).toBeLessThan(1_000);
		expect(breakerStates(closed.busEvents)).toContain('half-open');
		// Open (the abandoned probe re-opened it): no socket is ever opened, the call ends at once.
		await until(() => breakerStates(closed.busEvents).at(-1) === 'open');
		const before = completions(sim);
		const controller = new AbortController();
		const outcome = await run(closed.orchestrator, 'x', { signal: controller.signal });
		expect(outcome.error?.kind).toBe('unavailable');
		expect(completions(sim)).toBe(before);
	});

	it('falls back in order to the next model and prices the answer at the model that answered', async () => {
		const { orchestrator, busEvents } = rig(sim, { maxRetries: 0 });
		// Open sim/echo-mini's circuit, then ask for it with a fallback.
		for (let i = 0; i < 3; i++) await run(orchestrator, FAIL);
		const outcome = await run(orchestrator, 'hello', { models: ['sim/echo-mini', 'sim/gpt-like'] });
		expect(outcome.error).toBeNull();
		expect(outcome.events[0]).toMatchObject({ type: 'start', model: 'sim/gpt-like' });
		expect(outcome.events.at(-1)).toMatchObject({ type: 'finish', model: 'sim/gpt-like' });
		expect(busEvents.map((e) => e.event)).toContainEqual(expect.objectContaining({ type: 'fallback', from: 'sim/echo-mini', to: 'sim/gpt-like' }));
	});

	it('falls back after retries are spent, but never after the first token', async () => {
		const { orchestrator } = rig(sim, { maxRetries: 1 });
		const key = `fb-${Date.now()}`;
		const before = completions(sim);
		const outcome = await run(orchestrator, `x [[sim:status=503 fail-times=2 key=${key}]]`, { models: ['sim/echo-mini', 'sim/free'] });
		expect(outcome.error).toBeNull();
		expect(outcome.events[0]).toMatchObject({ model: 'sim/free' });
		expect(completions(sim) - before).toBe(3);

		const midStream = await run(orchestrator, MID_STREAM_FAIL, { models: ['sim/gpt-like', 'sim/free'] });
		expect(midStream.error?.details).toMatchObject({ afterFirstToken: true, model: 'sim/gpt-like' });
	});

	it('does not fall back on a request the provider refuses as ours to fix (401, 402)', async () => {
		const { orchestrator } = rig(sim, { maxRetries: 0 });
		const before = completions(sim);
		const outcome = await run(orchestrator, 'x [[sim:status=402]]', { models: ['sim/echo-mini', 'sim/free'] });
		expect(outcome.error?.kind).toBe('budget');
		expect(completions(sim) - before).toBe(1);
	});
});
