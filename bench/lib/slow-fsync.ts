import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

let built: string | null = null;

/**
 * Environment for a server process whose fsyncs take `BENCH_SLOW_FSYNC_US` microseconds longer, as
 * on a network-attached cloud disk (fsync in milliseconds) rather than this machine's local one:
 * bench/lib/slow-fsync.c, compiled once with the system's C compiler and preloaded. Empty when the
 * variable is not set.
 */
export function slowFsyncEnv(): Record<string, string> {
	const us = process.env.BENCH_SLOW_FSYNC_US;
	if (!us) return {};
	if (!/^\d+$/.test(us)) throw new Error(`BENCH_SLOW_FSYNC_US must be a whole number of microseconds, not "${us}"`);
	if (!built) {
		const out = join(mkdtempSync(join(tmpdir(), 'phosphor-slow-fsync-')), 'slow-fsync.so');
		const cc = spawnSync('cc', ['-shared', '-fPIC', '-O2', '-o', out, resolve(import.meta.dirname, 'slow-fsync.c'), '-ldl'], { encoding: 'utf8' });
		if (cc.status !== 0) throw new Error(`BENCH_SLOW_FSYNC_US needs a C compiler (cc) to build its fsync shim: ${cc.error?.message ?? cc.stderr}`);
		built = out;
	}
	return { LD_PRELOAD: built, SLOW_FSYNC_US: us };
}
