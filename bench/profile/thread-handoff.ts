/**
 * What one round trip to another thread costs, in CPU time of the whole process: the main thread
 * hands a batch the size of a call's ledger writes to a worker and waits for its answer, as the
 * commit thread does (server/db/commit-thread.ts), once with `postMessage` both ways and once with
 * a shared buffer and `Atomics` (the worker blocking in `Atomics.wait`, the main thread in
 * `Atomics.waitAsync`). Not a benchmark (no target): it says what a batch sent to the commit
 * thread costs besides its SQL.
 *
 *   npx tsx bench/profile/thread-handoff.ts [round trips=20000]
 */
import { Worker } from 'node:worker_threads';

const N = Number(process.argv[2] ?? 20_000);
/** Two statements with the parameters of a reservation and a generation row. */
const OPS = [
	[
		[3, ['0191a2b3-c4d5-7e6f-8a9b-0c1d2e3f4a5b', 'user-1', 'sim/echo-mini', 1_234_567, 1_764_277_000_000]],
		[4, ['0191a2b3-c4d5-7e6f-8a9b-0c1d2e3f4a5b', 'running', 1_764_277_000_000]]
	]
];

function report(name: string, started: number, cpu: NodeJS.CpuUsage): void {
	const wallUs = ((performance.now() - started) * 1000) / N;
	const cpuUs = (cpu.user + cpu.system) / N;
	console.log(`  ${name.padEnd(28)} ${wallUs.toFixed(1).padStart(6)} µs wall, ${cpuUs.toFixed(1).padStart(6)} µs CPU per round trip`);
}

async function viaMessages(): Promise<void> {
	const worker = new Worker(
		`const { parentPort } = require('node:worker_threads');
		parentPort.on('message', (m) => parentPort.postMessage({ batch: m.batch, results: [{ changes: [1, 1] }] }));`,
		{ eval: true }
	);
	const started = performance.now();
	const cpu = process.cpuUsage();
	let answered = 0;
	await new Promise<void>((resolve) => {
		worker.on('message', () => {
			if (++answered === N) resolve();
			else worker.postMessage({ batch: answered, ops: OPS });
		});
		worker.postMessage({ batch: 0, ops: OPS });
	});
	report('postMessage both ways', started, process.cpuUsage(cpu));
	await worker.terminate();
}

async function viaAtomics(): Promise<void> {
	const shared = new SharedArrayBuffer(1 << 16);
	const control = new Int32Array(shared, 0, 4);
	const bytes = new Uint8Array(shared, 16);
	const worker = new Worker(
		`const { workerData } = require('node:worker_threads');
		const control = new Int32Array(workerData, 0, 4);
		const bytes = new Uint8Array(workerData, 16);
		const decoder = new TextDecoder();
		for (let seen = 0; ; ) {
			Atomics.wait(control, 0, seen);
			seen = Atomics.load(control, 0);
			if (seen < 0) break;
			JSON.parse(decoder.decode(bytes.subarray(0, control[2])));
			Atomics.store(control, 1, seen);
			Atomics.notify(control, 1);
		}`,
		{ eval: true, workerData: shared }
	);
	const encoder = new TextEncoder();
	const started = performance.now();
	const cpu = process.cpuUsage();
	for (let i = 1; i <= N; i++) {
		control[2] = encoder.encodeInto(JSON.stringify({ batch: i, ops: OPS }), bytes).written;
		Atomics.store(control, 0, i);
		Atomics.notify(control, 0);
		const answer = Atomics.waitAsync(control, 1, i - 1);
		if (answer.async) await answer.value;
	}
	report('shared buffer + Atomics', started, process.cpuUsage(cpu));
	Atomics.store(control, 0, -1);
	Atomics.notify(control, 0);
	await worker.terminate();
}

console.log(`${N} round trips to a worker thread, one at a time:`);
await viaMessages();
await viaAtomics();
