import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startSimulator, type Simulator } from '../../server/simulator';
import { completions, rig, run, until, type Outcome } from '../helpers/orchestrator-rig';

/**
 * The fault matrix of issue 3: every way an upstream can misbehave ends in exactly one terminal
 * outcome, within its bound, with retries only before the first token.
 */
describe('orchestrator fault matrix (against the simulator)', () => {
	let sim: Simulator;
	const unhandled: unknown[] = [];
	const onUnhandled = (reason: unknown) => unhandled.push(reason);

	beforeAll(async () => {
		sim = await startSimulator({ port: 0 });
		process.on('unhandledRejection', onUnhandled);
	});
	afterAll(async () => {
		process.off('unhandledRejection', onUnhandled);
		await sim.close();
	});
	afterEach(() => expect(unhandled).toEqual([]));

	/** Exactly one terminal outcome: a finish event, or an error, never both, never neither. */
	function expectOneTerminal(outcome: Outcome) {
		expect(outcome.crash).toBeNull();
		const finishes = outcome.events.filter((e) => e.type === 'finish').length;
		expect(finishes + (outcome.error ? 1 : 0)).toBe(1);
	}

	async function runCounted(content: string, overrides = {}) {
		const { orchestrator } = rig(sim, overrides);
		const before = completions(sim);
		const outcome = await run(orchestrator, content);
		expectOneTerminal(outcome);
		return { outcome, requests: completions(sim) - before };
	}

	const plain = 'Tell me a story about lighthouses.';
	let reference = '';
	beforeAll(async () => {
		reference = (await run(rig(sim).orchestrator, plain)).text;
	});

	it('a clean stream finishes once with usage and cost, one request', async () => {
		const { outcome, requests } = await runCounted(plain);
		expect(requests).toBe(1);
		expect(outcome.text).toBe(reference);
		expect(outcome.events[0]).toMatchObject({ type: 'start', model: 'sim/echo-mini', upstreamId: expect.stringMatching(/^gen-/) });
		const finish = outcome.events.at(-1);
		expect(finish).toMatchObject({ type: 'finish', finishReason: 'stop', costUsd: expect.any(Number) });
	});

	it.each([
		['keep-alive comment lines', 'keepalive=5'],
		['CRLF framing', 'crlf'],
		['events split across TCP reads', 'split'],
		['a delay before the first token shorter than the timeout', 'first-token-delay=100'],
		['a slow trickle faster than the idle limit', 'trickle=20 len=30']
	])('reads through %s', async (_, directive) => {
		const { outcome, requests } = await runCounted(`${plain} [[sim:${directive}]]`);
		expect(outcome.error).toBeNull();
		expect(requests).toBe(1);
		if (!directive.includes('len')) expect(outcome.text).toBe(reference);
	});

	it('reads an event of 1 MB', async () => {
		const { outcome } = await runCounted(`${plain} [[sim:big-event=1000000]]`);
		expect(outcome.error).toBeNull();
		expect(outcome.text.length).toBeGreaterThanOrEqual(1_000_000);
	});

	it('accepts a stream that closes without [DONE] once a finish_reason came', async () => {
		const { outcome } = await runCounted(`${plain} [[sim:no-done]]`);
		expect(outcome.error).toBeNull();
		expect(outcome.text).toBe(reference);
		expect(outcome.events.at(-1)).toMatchObject({ type: 'finish', costUsd: null });
	});

	it('fails on an error chunk after HTTP 200 mid-stream, without retrying', async () => {
		const { outcome, requests } = await runCounted(`${plain} [[sim:error-chunk=3]]`);
		expect(requests).toBe(1);
		expect(outcome.error).toMatchObject({ kind: 'upstream', details: { afterFirstToken: true, status: 502 } });
		expect(outcome.error?.message).toMatch(/502 — Upstream provider error/);
		expect(outcome.text.length).toBeGreaterThan(0);
	});

	it('retries an error chunk that is the only chunk (no token yet), then fails', async () => {
		const { outcome, requests } = await runCounted(`${plain} [[sim:error-chunk=0]]`);
		expect(requests).toBe(3);
		expect(outcome.error).toMatchObject({ kind: 'upstream', details: { afterFirstToken: false } });
		expect(outcome.text).toBe('');
	});

	it('fails with a clear reason on malformed JSON in a chunk, without crashing', async () => {
		const { outcome, requests } = await runCounted(`${plain} [[sim:malformed=2]]`);
		expect(requests).toBe(1);
		expect(outcome.error?.kind).toBe('upstream');
		expect(outcome.error?.message).toMatch(/malformed chunk/);
	});

	it.each([
		[500, 'upstream', 3],
		[502, 'upstream', 3],
		[503, 'upstream', 3],
		[408, 'timeout', 3],
		[429, 'rate-limited', 3],
		[400, 'bad-request', 1],
		[401, 'unauthorized', 1],
		[402, 'budget', 1],
		[403, 'forbidden', 1]
	] as const)('HTTP %i → %s after %i request(s)', async (status, kind, expectedRequests) => {
		const { outcome, requests } = await runCounted(`${plain} [[sim:status=${status}]]`);
		expect(requests).toBe(expectedRequests);
		expect(outcome.error).toMatchObject({ kind, details: { status } });
		expect(outcome.error?.message).toContain(String(status));
	});

	it('honours Retry-After on a 429 and then succeeds', async () => {
		const { outcome, requests } = await runCounted(`${plain} [[sim:status=429 retry-after=1 fail-times=1 key=ra-${Date.now()}]]`);
		expect(requests).toBe(2);
		expect(outcome.error).toBeNull();
		expect(outcome.ms).toBeGreaterThanOrEqual(1_000);
	});

	it('does not wait for a Retry-After beyond the configured maximum', async () => {
		const { outcome } = await runCounted(`${plain} [[sim:status=429 retry-after=60]]`, { maxRetries: 1, maxRetryAfterMs: 100 });
		expect(outcome.error?.kind).toBe('rate-limited');
		expect(outcome.ms).toBeLessThan(2_000);
	});

	it('times out a request that hangs before headers, closes its socket, and does not retry the same model', async () => {
		const open = sim.stats.activeCompletions;
		const { outcome, requests } = await runCounted(`${plain} [[sim:hang]]`);
		expect(requests).toBe(1);
		expect(outcome.error).toMatchObject({ kind: 'timeout', details: { afterFirstToken: false } });
		expect(outcome.ms).toBeLessThan(400 + 500);
		await until(() => sim.stats.activeCompletions === open, 1_000);
	});

	it('times out a first token that comes too late (keep-alives do not count)', async () => {
		const { outcome } = await runCounted(`${plain} [[sim:first-token-delay=2000]]`, { maxRetries: 0 });
		expect(outcome.error?.kind).toBe('timeout');
		expect(outcome.ms).toBeLessThan(1_000);
	});

	it('stops a stream that stalls mid-way with the idle watchdog, without retrying', async () => {
		const { outcome, requests } = await runCounted(`${plain} [[sim:stall-after=3]]`);
		expect(requests).toBe(1);
		expect(outcome.error).toMatchObject({ kind: 'timeout', details: { afterFirstToken: true } });
		expect(outcome.error?.message).toMatch(/stopped sending/);
		expect(outcome.ms).toBeLessThan(300 + 700);
		expect(outcome.text.length).toBeGreaterThan(0);
	});

	it('reports a connection reset mid-stream, without retrying', async () => {
		const { outcome, requests } = await runCounted(`${plain} [[sim:reset-after=3]]`);
		expect(requests).toBe(1);
		expect(outcome.error).toMatchObject({ kind: 'upstream', details: { afterFirstToken: true } });
	});

	it('retries a reset before the first token', async () => {
		const { outcome, requests } = await runCounted(`${plain} [[sim:reset-after=0 fail-times=1 key=reset-${Date.now()}]]`);
		expect(requests).toBe(2);
		expect(outcome.error).toBeNull();
	});
});
