import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * `node --expose-gc --import ./bench/lib/gc-on-signal.mjs …`: a full garbage collection whenever the
 * process gets SIGWINCH (a signal nothing else here listens to: these processes have no terminal).
 * The memory bench loads it into every process it measures alike, so RSS readings hold live memory
 * rather than however much garbage the collector had let pile up at that moment. After each
 * collection it leaves the V8 heap's size in <tmpdir>/gc-on-signal-<pid>.json: RSS alone cannot
 * tell live objects from heap the engine has grown and kept.
 */
process.on('SIGWINCH', () => {
	globalThis.gc?.();
	const { heapUsed, heapTotal } = process.memoryUsage();
	writeFileSync(join(tmpdir(), `gc-on-signal-${process.pid}.json`), JSON.stringify({ heapUsed, heapTotal }));
});
