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
 *
 * State kept in memory beside the database (the ledger's running totals) registers how to undo
 * its change with `onUndo`: it runs if the operation's savepoint is rolled back or the batch's
 * COMMIT fails, so memory never holds what the file does not.
 *
 * `later` queues an operation nobody is waiting on (a settlement, a call's end state, a provider
 * id): it rides along with the next batch that `run` starts, or commits on its own within
 * `laterMs`. On the hot path that turns four commits per call into about one, and every commit
 * is an fsync on the event loop. Order is kept: both kinds share one queue.
 */
export class BatchedWriter {
	#queue: Pending[] = [];
	#scheduled = false;
	#timer: NodeJS.Timeout | null = null;
	/** Undo steps of the operation running now; null outside an operation. */
	#undo: Array<() => void> | null = null;
	readonly #savepoint;
	readonly #release;
	readonly #rollbackTo;

	constructor(
		private readonly sqlite: Database.Database,
		private readonly maxBatch = 1_000,
		private readonly laterMs = 10
	) {
		// Prepared once: exec() would parse these three statements again for every operation.
		this.#savepoint = sqlite.prepare('SAVEPOINT op');
		this.#release = sqlite.prepare('RELEASE op');
		this.#rollbackTo = sqlite.prepare('ROLLBACK TO op');
	}

	/** Commits `op` with the next batch, at the end of this turn of the event loop. */
	run<T>(op: () => T): Promise<T> {
		return new Promise<T>((resolve, reject) => {
			this.#queue.push({ op, resolve: resolve as (value: unknown) => void, reject });
			if (!this.#scheduled) {
				this.#scheduled = true;
				setImmediate(flushWriter, this);
			}
		});
	}

	/** Commits `op` with the next batch `run` starts, or within `laterMs` if none does. */
	later<T>(op: () => T): Promise<T> {
		return new Promise<T>((resolve, reject) => {
			this.#queue.push({ op, resolve: resolve as (value: unknown) => void, reject });
			if (!this.#scheduled && this.#timer === null) this.#timer = setTimeout(flushWriter, this.laterMs, this);
		});
	}

	/**
	 * Inside an operation: `undo` reverts an in-memory change made with it, should the operation
	 * not commit after all. Outside one (no transaction to roll back) it is not needed and ignored.
	 */
	onUndo(undo: () => void): void {
		this.#undo?.push(undo);
	}

	/** Commits everything queued now (also used at shutdown). */
	flush(): void {
		this.#scheduled = false;
		if (this.#timer !== null) {
			clearTimeout(this.#timer);
			this.#timer = null;
		}
		while (this.#queue.length > 0) {
			const batch = this.#queue.splice(0, this.maxBatch);
			const results: Array<{ ok: true; value: unknown } | { ok: false; error: unknown }> = [];
			const committed: Array<() => void> = [];
			try {
				this.sqlite.exec('BEGIN IMMEDIATE');
				for (const item of batch) {
					this.#savepoint.run();
					const undo: Array<() => void> = [];
					this.#undo = undo;
					try {
						results.push({ ok: true, value: item.op() });
						this.#release.run();
						committed.push(...undo);
					} catch (error) {
						this.#rollbackTo.run();
						this.#release.run();
						runUndo(undo);
						results.push({ ok: false, error });
					} finally {
						this.#undo = null;
					}
				}
				this.sqlite.exec('COMMIT');
			} catch (error) {
				if (this.sqlite.inTransaction) this.sqlite.exec('ROLLBACK');
				runUndo(committed);
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

function flushWriter(writer: BatchedWriter): void {
	writer.flush();
}

function runUndo(steps: Array<() => void>): void {
	for (let i = steps.length - 1; i >= 0; i--) (steps[i] as () => void)();
}
