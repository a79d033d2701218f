import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * `node --import ./bench/lib/allocation-sampling.mjs …`: V8's sampling heap profiler, counting
 * objects already collected too (what a request allocates, not what it keeps). SIGWINCH starts
 * sampling (after a warm-up) and SIGWINCH again writes the profile to
 * <tmpdir>/allocation-sampling-<pid>.heapprofile, as gc-on-signal.mjs names its file. Used by
 * `bench/profile/hot-path.ts` with PROFILE_KIND=allocations.
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
		writeFileSync(join(tmpdir(), `allocation-sampling-${process.pid}.heapprofile`), JSON.stringify(error ? { error: String(error) } : result.profile));
	});
});
