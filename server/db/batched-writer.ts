import type Database from 'better-sqlite3';

interface Pending {
	op: () => unknown;
	resolve: (value: unknown) => void;
	reject: (error: unknown) => void;
}

/**
 * Group commit. With synchronous=FULL every COMMIT waits for an fsync (~0.7 ms here), which
 * would cap the ledger near 1.5k writes a second and block the event loop on each. Operations
 * queued in the same turn of the event loop share one transaction and one fsync instead.
 *
 * Each operation runs in its own SAVEPOINT: one that throws is rolled back alone and rejects
 * alone. Its promise resolves only after COMMIT, so a caller never acts on a write that a
 * crash could still lose. Operations run in order, synchronously, and may not open their own
 * transactions (better-sqlite3's `db.transaction` would nest a BEGIN).
 */
export class BatchedWriter {
	#queue: Pending[] = [];
	#scheduled = false;
	readonly #savepoint;
	readonly #release;
	readonly #rollbackTo;

	constructor(
		private readonly sqlite: Database.Database,
		private readonly maxBatch = 1_000
	) {
		// Prepared once: exec() would parse these three statements again for every operation.
		this.#savepoint = sqlite.prepare('SAVEPOINT op');
		this.#release = sqlite.prepare('RELEASE op');
		this.#rollbackTo = sqlite.prepare('ROLLBACK TO op');
	}

	run<T>(op: () => T): Promise<T> {
		return new Promise<T>((resolve, reject) => {
			this.#queue.push({ op, resolve: resolve as (value: unknown) => void, reject });
			if (!this.#scheduled) {
				this.#scheduled = true;
				setImmediate(() => this.flush());
			}
		});
	}

	/** Commits everything queued now (also used at shutdown). */
	flush(): void {
		this.#scheduled = false;
		while (this.#queue.length > 0) {
			const batch = this.#queue.splice(0, this.maxBatch);
			const results: Array<{ ok: true; value: unknown } | { ok: false; error: unknown }> = [];
			try {
				this.sqlite.exec('BEGIN IMMEDIATE');
				for (const item of batch) {
					this.#savepoint.run();
					try {
						results.push({ ok: true, value: item.op() });
						this.#release.run();
					} catch (error) {
						this.#rollbackTo.run();
						this.#release.run();
						results.push({ ok: false, error });
					}
				}
				this.sqlite.exec('COMMIT');
			} catch (error) {
				if (this.sqlite.inTransaction) this.sqlite.exec('ROLLBACK');
				for (const item of batch) item.reject(error);
				continue;
			}
			batch.forEach((item, i) => {
				const result = results[i];
				if (result?.ok) item.resolve(result.value);
				else item.reject(result?.error);
			});
		}
	}
}
