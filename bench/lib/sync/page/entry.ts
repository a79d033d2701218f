import { initialSync } from './initial-sync';
import { liveQueryLatency } from './live-query';

/** What the bundle puts on the page for the bench runner to call through page.evaluate. */
export const pageApi = { initialSync, liveQueryLatency };
export type PageApi = typeof pageApi;

(globalThis as unknown as { phosphorSyncBench: PageApi }).phosphorSyncBench = pageApi;
