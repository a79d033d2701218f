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
	const [threads, status] = await Promise.all([threadUsage(pid), readFile(`/proc/${pid}/status`, 'utf8')]);
	const rssKb = Number(/^VmRSS:\s+(\d+) kB$/m.exec(status)?.[1]);
	const cpuSeconds = [...threads.values()].reduce((sum, t) => sum + t.cpuNs, 0) / 1e9;
	const mainCpuSeconds = (threads.get(String(pid))?.cpuNs ?? Number.NaN) / 1e9;
	if (!Number.isFinite(cpuSeconds + mainCpuSeconds + rssKb)) throw new Error(`unreadable /proc/${pid}/task/*/schedstat or status`);
	return { cpuSeconds, mainCpuSeconds, rssBytes: rssKb * 1024 };
}

export interface ThreadUsage {
	/** Run time so far (schedstat, nanoseconds). */
	cpuNs: number;
	/** Bytes it has asked the kernel to write (`wchar`): files and sockets alike. */
	writtenBytes: number;
}

/** Each live thread of a process by its id (the main thread's is the pid), from the kernel's accounting. */
export async function threadUsage(pid: number, withIo = false): Promise<Map<string, ThreadUsage>> {
	const tasks = await readdir(`/proc/${pid}/task`);
	const usage = await Promise.all(
		tasks.map(async (tid): Promise<[string, ThreadUsage]> => {
			const [schedstat, io] = await Promise.all([
				readFile(`/proc/${pid}/task/${tid}/schedstat`, 'utf8').catch(() => '0'),
				withIo ? readFile(`/proc/${pid}/task/${tid}/io`, 'utf8').catch(() => '') : ''
			]);
			return [tid, { cpuNs: Number(schedstat.split(' ')[0]), writtenBytes: Number(/^wchar: (\d+)$/m.exec(io)?.[1] ?? 0) }];
		})
	);
	return new Map(usage);
}
