import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector';

/**
 * `node --import ./bench/lib/allocation-sampling.mjs …` with ALLOCATION_PROFILE=<file>: V8's sampling
 * heap profiler, counting objects already collected too (what a request allocates, not what it
 * keeps). SIGWINCH starts sampling (after a warm-up) and SIGWINCH again writes the profile to the
 * file. Used by `bench/profile/hot-path.ts` with PROFILE_KIND=allocations.
 */
const session = new Session();
session.connect();
session.post('HeapProfiler.enable');
let sampling = false;
process.on('SIGWINCH', () => {
	if (!sampling) {
		sampling = true;
		session.post('HeapProfiler.startSampling', { samplingInterval: 4096, includeObjectsCollectedByMajorGC: true, includeObjectsCollectedByMinorGC: true });
		return;
	}
	session.post('HeapProfiler.stopSampling', (error, result) => {
		writeFileSync(process.env.ALLOCATION_PROFILE ?? 'allocations.heapprofile', JSON.stringify(error ? { error: String(error) } : result.profile));
	});
});
