import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rig, run } from '../helpers/orchestrator-rig';
import { startSimulatorProcess } from '../helpers/simulator-process';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

function heapAfterGc(): number {
	for (let i = 0; i < 3; i++) gc();
	return process.memoryUsage().heapUsed;
}

/**
 * Memory stays flat over 10k streams: this counts bytes and listeners, it does not time anything.
 * A leak of even 100 bytes per stream would show as ~1 MB between the two samples.
 */
describe('orchestrator memory over 10k simulated streams', () => {
	let sim: Awaited<ReturnType<typeof startSimulatorProcess>>;
	beforeAll(async () => {
		sim = await startSimulatorProcess();
	});
	afterAll(() => sim.stop());

	it('holds no per-stream state once streams end: heap and listeners flat from 1k to 10k', async () => {
		// A threshold no test reaches: every stream must really run, none may fail fast.
		const { orchestrator, bus } = rig(sim, { maxRetries: 0, breakerThreshold: 1_000_000, firstTokenTimeoutMs: 10_000, idleTimeoutMs: 10_000 });
		// A mix of clean ends, mid-stream failures and user aborts.
		const kinds = ['ok [[sim:len=40]]', 'bad [[sim:len=40 reset-after=2]]', 'abort [[sim:len=40]]'];
		let done = 0;
		const tally: Record<string, number> = {};
		const runBatch = async (count: number) => {
			const queue = Array.from({ length: count }, (_, i) => i);
			await Promise.all(
				Array.from({ length: 16 }, async () => {
					for (let i = queue.shift(); i !== undefined; i = queue.shift()) {
						const content = kinds[i % kinds.length] as string;
						const controller = new AbortController();
						const outcome = await run(orchestrator, content, {
							// Distinct models would each get a breaker; one model keeps the breaker map at one entry.
							signal: controller.signal,
							onEvent: (e) => content.startsWith('abort') && e.type === 'delta' && controller.abort()
						});
						expect(outcome.crash).toBeNull();
						tally[outcome.error?.kind ?? 'ok'] = (tally[outcome.error?.kind ?? 'ok'] ?? 0) + 1;
						done++;
					}
				})
			);
		};
		await runBatch(1_000);
		const baseline = heapAfterGc();
		await runBatch(9_000);
		const after = heapAfterGc();
		expect(done).toBe(10_000);
		expect(tally).toEqual({ ok: 3334, upstream: 3333, cancelled: 3333 });
		const growthPerStream = (after - baseline) / 9_000;
		expect(growthPerStream).toBeLessThan(100);
		expect(bus.listenerCount).toBe(1);
		expect(orchestrator.breakers.snapshot()).toHaveLength(1);
	}, 180_000);
});
