/**
 * Every connection's pragmas (docs/architecture.md#configuration-and-storage), the commit
 * thread's too: WAL for concurrent readers, foreign keys, a busy timeout instead of SQLITE_BUSY,
 * and synchronous=FULL so that a settled cost survives power loss.
 */
export const PRAGMAS = [
	'journal_mode = WAL',
	'foreign_keys = ON',
	'busy_timeout = 5000',
	'synchronous = FULL',
	// 32 MiB of page cache instead of 2: the ledger's indexes stay in memory as it grows.
	'cache_size = -32768'
];
