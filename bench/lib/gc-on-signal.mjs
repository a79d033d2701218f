/**
 * `node --expose-gc --import ./bench/lib/gc-on-signal.mjs …`: a full garbage collection whenever the
 * process gets SIGWINCH (a signal nothing else here listens to: these processes have no terminal).
 * The memory bench loads it into every process it measures alike, so RSS readings hold live memory
 * rather than however much garbage the collector had let pile up at that moment.
 */
process.on('SIGWINCH', () => globalThis.gc?.());
