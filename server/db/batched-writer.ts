import type Database from 'better-sqlite3';
import { CommitThread, type StatementParams, type ThreadResult } from './commit-thread';
import { WriteStatement, type StatementCall } from './write-statement';

type Settled = (value: unknown) => void;

/** A queued operation: code run on this connection, or statements the commit thread can run. */
type Statements = { kind: 'statements'; calls: StatementCall[]; undo: (() => void) | null; now: boolean; resolve: Settled; reject: Settled };
type Pending = { kind: 'closure'; op: () => unknown; now: boolean; resolve: Settled; reject: Settled } | Statements;

export interface WriteOptions {
	/** Reverts what the caller changed in memory with this write, should it not commit. */
	undo?: () => void;
	/** 'later': nobody waits on it; it rides with the next batch (see `later`). */
	commit?: 'now' | 'later';
}

/**
 * Group commit. With synchronous=FULL every COMMIT waits for an fsync, which would cap the ledger
 * near a few thousand writes a second and block the event loop on each. Operations queued in the
 * same turn of the event loop share one transaction and one fsync instead.
 *
 * Two kinds of operation share one queue, in order. A closure (`run`, `later`) runs on this
 * connection and may read what it needs; its COMMIT blocks the event loop. Statements (`write`)
 * go, with a `thread`, to the commit thread's own connection: there the COMMIT waits while the
 * event loop serves streams, and whatever is queued meanwhile shares the next batch. The hot path
 * (a call's reservation, provider id, settlement, end state) is statements; rarer writes that read
 * as they go (sync pushes, corrections) are closures, run once the thread has nothing in flight,
 * so the two connections never wait on each other's lock.
 *
 * Each operation runs in its own SAVEPOINT: one that throws is rolled back alone and rejects
 * alone. Its promise resolves only after COMMIT, so a caller never acts on a write that a crash
 * could still lose. Closures run synchronously and may not open their own transactions
 * (better-sqlite3's `db.transaction` would nest a BEGIN).
 *
 * State kept in memory beside the database (the ledger's running totals) is changed when the
 * operation is queued (statements, with `undo`) or run (closures, with `onUndo`), and undone if
 * the operation is rolled back or its batch's COMMIT fails, so memory never holds what the file
 * does not.
 *
 * `later` queues an operation nobody is waiting on (a settlement, a call's end state, a provider
 * id): it rides along with the next batch that `run` starts, or commits on its own within
 * `laterMs`, which turns four commits per call into about one.
 */
export class BatchedWriter {
	#queue: Pending[] = [];
	#scheduled = false;
	#timer: NodeJS.Timeout | null = null;
	/** Undo steps of the closure running now; null outside one. */
	#undo: Array<() => void> | null = null;
	#thread: CommitThread | null;
	/** A batch is with the commit thread: nothing else commits until it answers. */
	#inFlight = false;
	#idle: Array<() => void> = [];
	#commits = 0;
	readonly #sql: string[] = [];
	readonly #maxBatch: number;
	readonly #laterMs: number;
	readonly #savepoint;
	readonly #release;
	readonly #rollbackTo;

	constructor(
		private readonly sqlite: Database.Database,
		options: { thread?: boolean; maxBatch?: number; laterMs?: number } = {}
	) {
		this.#maxBatch = options.maxBatch ?? 1_000;
		this.#laterMs = options.laterMs ?? 10;
		// An in-memory database is this connection's alone: nothing else can open it.
		this.#thread = options.thread && !sqlite.memory ? new CommitThread(sqlite.name) : null;
		// Prepared once: exec() would parse these three statements again for every operation.
		this.#savepoint = sqlite.prepare('SAVEPOINT op');
		this.#release = sqlite.prepare('RELEASE op');
		this.#rollbackTo = sqlite.prepare('ROLLBACK TO op');
	}

	/** Transactions committed so far, on either connection (for tests and profiles). */
	get commits(): number {
		return this.#commits;
	}

	/** True while writes go to a commit thread (false once it has stopped). */
	get threaded(): boolean {
		return this.#thread !== null;
	}

	/** A write for `write`, prepared on whichever connection runs it. */
	statement<P extends StatementParams>(sql: string): WriteStatement<P> {
		this.#sql.push(sql);
		return new WriteStatement<P>(this.#sql.length - 1, sql, this.sqlite);
	}

	/** Commits `op` on this connection with the next batch, at the end of this turn of the event loop. */
	run<T>(op: () => T): Promise<T> {
		return new Promise<T>((resolve, reject) => this.#enqueue({ kind: 'closure', op, now: true, resolve: resolve as Settled, reject }));
	}

	/** Commits `op` with the next batch `run` starts, or within `laterMs` if none does. */
	later<T>(op: () => T): Promise<T> {
		return new Promise<T>((resolve, reject) => this.#enqueue({ kind: 'closure', op, now: false, resolve: resolve as Settled, reject }));
	}

	/** Commits `calls` as one operation; resolves with each statement's count of changed rows. */
	write(calls: StatementCall[], options: WriteOptions = {}): Promise<number[]> {
		const now = options.commit !== 'later';
		const undo = options.undo ?? null;
		return new Promise<number[]>((resolve, reject) => this.#enqueue({ kind: 'statements', calls, undo, now, resolve: resolve as Settled, reject }));
	}

	/**
	 * Inside a closure: `undo` reverts an in-memory change made with it, should the operation not
	 * commit after all. Outside one (no transaction to roll back) it is not needed and ignored.
	 */
	onUndo(undo: () => void): void {
		this.#undo?.push(undo);
	}

	/** Starts committing what is queued now. */
	flush(): void {
		this.#scheduled = false;
		if (this.#timer !== null) {
			clearTimeout(this.#timer);
			this.#timer = null;
		}
		if (this.#inFlight) return;
		while (this.#queue.length > 0) {
			const thread = this.#thread;
			if (thread && this.#queue[0]?.kind === 'statements') {
				this.#send(thread, this.#take((p): p is Statements => p.kind === 'statements'));
				return;
			}
			this.#commitHere(this.#take((p) => p.kind === 'closure' || !thread));
		}
		this.#wakeIdle();
	}

	/** Resolves once everything queued so far is committed (or has failed). */
	async drain(): Promise<void> {
		while (this.#queue.length > 0 || this.#inFlight) {
			const idle = new Promise<void>((resolve) => this.#idle.push(resolve));
			this.flush();
			await idle;
		}
	}

	/** Commits what is queued and stops the commit thread; later writes commit on this connection. */
	async close(): Promise<void> {
		await this.drain();
		const thread = this.#thread;
		this.#thread = null;
		await thread?.close();
	}

	#enqueue(item: Pending): void {
		this.#queue.push(item);
		// An idle commit thread takes a write someone waits on at once rather than at the end of this
		// turn, with the `later` statements queued before it: its commit then overlaps the rest of the
		// turn (on the hot path, the upstream request being sent). Whatever comes while it is out
		// waits and shares the next batch. A closure at the head waits for the turn's end as before.
		if (item.kind === 'statements' && item.now && this.#thread && !this.#inFlight && this.#queue[0]?.kind === 'statements') {
			this.flush();
			return;
		}
		if (this.#scheduled) return;
		if (item.now) {
			this.#scheduled = true;
			setImmediate(flushWriter, this);
		} else if (this.#timer === null) {
			this.#timer = setTimeout(flushWriter, this.#laterMs, this);
		}
	}

	/** The longest run at the head of the queue that `fits`, at most `maxBatch`. */
	#take<P extends Pending>(fits: (item: Pending) => item is P): P[];
	#take(fits: (item: Pending) => boolean): Pending[];
	#take(fits: (item: Pending) => boolean): Pending[] {
		let n = 0;
		while (n < this.#queue.length && n < this.#maxBatch && fits(this.#queue[n] as Pending)) n++;
		return this.#queue.splice(0, n);
	}

	#send(thread: CommitThread, batch: Statements[]): void {
		this.#inFlight = true;
		const ops = batch.map((item) => item.calls.map((c) => [c.statement.id, c.params] as [number, StatementParams]));
		thread.run(ops, (id) => this.#sql[id] ?? '').then(
			(results) => this.#answer(batch, results),
			(error: unknown) => {
				// A thread that died takes no more batches: what follows commits on this connection. Its last
				// batch may have committed before it died; its callers hear of a failure all the same, and a
				// reservation left without its call is settled by boot reconciliation, as after a crash.
				if (!thread.alive) this.#thread = null;
				this.#answer(batch, null, error);
			}
		);
	}

	#answer(batch: Pending[], results: ThreadResult[] | null, batchError?: unknown): void {
		this.#inFlight = false;
		if (results) this.#commits++;
		if (!results) for (let i = batch.length - 1; i >= 0; i--) undoOf(batch[i] as Pending)?.();
		batch.forEach((item, i) => {
			const result = results?.[i];
			if (result && 'changes' in result) return item.resolve(result.changes);
			if (results) undoOf(item)?.();
			item.reject(result?.error ?? batchError);
		});
		// What queued meanwhile goes now if anyone waits on it; `later` work keeps its timer.
		if (this.#queue.some((item) => item.now) || this.#idle.length > 0) this.flush();
		else if (this.#queue.length > 0 && this.#timer === null) this.#timer = setTimeout(flushWriter, this.#laterMs, this);
	}

	/** One transaction on this connection; its COMMIT blocks the event loop. */
	#commitHere(batch: Pending[]): void {
		const results: Array<{ ok: true; value: unknown } | { ok: false; error: unknown }> = [];
		const committed: Array<() => void> = [];
		try {
			this.sqlite.exec('BEGIN IMMEDIATE');
			for (const item of batch) {
				this.#savepoint.run();
				const undo: Array<() => void> = item.kind === 'statements' && item.undo ? [item.undo] : [];
				this.#undo = undo;
				try {
					results.push({ ok: true, value: item.kind === 'closure' ? item.op() : item.calls.map((c) => c.runHere().changes) });
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
			this.#commits++;
		} catch (error) {
			if (this.sqlite.inTransaction) this.sqlite.exec('ROLLBACK');
			runUndo(committed);
			for (const item of batch) item.reject(error);
			return;
		}
		batch.forEach((item, i) => {
			const result = results[i];
			if (result?.ok) item.resolve(result.value);
			else item.reject(result?.error);
		});
	}

	#wakeIdle(): void {
		const idle = this.#idle;
		this.#idle = [];
		for (const wake of idle) wake();
	}
}

function flushWriter(writer: BatchedWriter): void {
	writer.flush();
}

function undoOf(item: Pending): (() => void) | null {
	return item.kind === 'statements' ? item.undo : null;
}

function runUndo(steps: Array<() => void>): void {
	for (let i = steps.length - 1; i >= 0; i--) (steps[i] as () => void)();
}
