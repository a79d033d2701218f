import { readdir, readFile } from 'node:fs/promises';

export interface ProcessUsage {
	/** CPU time the process's threads have run so far (those still alive: Node keeps its pools). */
	cpuSeconds: number;
	/** Of which the main thread's (the event loop's); the rest is V8's helpers, libuv's pool and any worker. */
	mainCpuSeconds: number;
	/** Resident set size. */
	rssBytes: number;
}

/**
 * CPU time and RSS of any process, read from the kernel's accounting rather than asked of the process:
 * the same measure for the bare proxy, Phosphor and the peer gateway, and no probe in their handlers.
 * CPU time comes from each thread's schedstat (nanoseconds) rather than /proc/<pid>/stat (10 ms
 * ticks), which would be too coarse for one burst of a hundred requests at well under 1 ms each.
 * No pid (the simulator called directly): nothing to measure.
 */
export async function processUsage(pid: number | undefined): Promise<ProcessUsage> {
	if (pid === undefined) return { cpuSeconds: Number.NaN, mainCpuSeconds: Number.NaN, rssBytes: Number.NaN };
	const [tasks, status] = await Promise.all([readdir(`/proc/${pid}/task`), readFile(`/proc/${pid}/status`, 'utf8')]);
	const runNs = await Promise.all(
		tasks.map(async (tid) => Number((await readFile(`/proc/${pid}/task/${tid}/schedstat`, 'utf8').catch(() => '0')).split(' ')[0]))
	);
	const rssKb = Number(/^VmRSS:\s+(\d+) kB$/m.exec(status)?.[1]);
	const cpuSeconds = runNs.reduce((sum, ns) => sum + ns, 0) / 1e9;
	const mainCpuSeconds = (runNs[tasks.indexOf(String(pid))] ?? Number.NaN) / 1e9;
	if (!Number.isFinite(cpuSeconds + mainCpuSeconds + rssKb)) throw new Error(`unreadable /proc/${pid}/task/*/schedstat or status`);
	return { cpuSeconds, mainCpuSeconds, rssBytes: rssKb * 1024 };
}
