import { openBundledPage, type BundledPage } from '../browser-page';
import type { PageApi } from './page/entry';

/**
 * The page-side benchmark code (bench/lib/sync/page/, which imports the real client store and
 * applier from src/) in headless Chromium: the real IndexedDB, not fake-indexeddb.
 */
export type BenchPage = Pick<BundledPage<PageApi>, 'page' | 'call' | 'close'>;

export function openBenchPage(): Promise<BenchPage> {
	return openBundledPage<PageApi>({ entry: 'bench/lib/sync/page/entry.ts', global: 'phosphorSyncBench', minify: false });
}
