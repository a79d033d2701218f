import { Worker } from 'node:worker_threads';
import { PRAGMAS } from './pragmas';

/** Positional or named parameters; plain data, as structured cloning carries it to the thread. */
export type StatementParams = readonly unknown[] | object;

/** One operation's statements, by the id the writer gave each statement's SQL. */
export type ThreadOp = Array<[id: number, params: StatementParams]>;

/** Each operation's changes per statement, or the error that rolled it back alone. */
export type ThreadResult = { changes: number[] } | { error: Error };

type Reply = { batch: number; results: Array<{ changes: number[] } | { error: WireError }> } | { batch: number; failed: WireError };
interface WireError {
	message: string;
	code: string | null;
}

/** An error from the commit thread's connection, with SQLite's code as better-sqlite3 gives it. */
export class CommitThreadError extends Error {
	override name = 'CommitThreadError';
	constructor(
		message: string,
		readonly code: string | null
	) {
		super(message);
	}
}

/**
 * A worker thread with a connection of its own to the database file, which runs the writer's
 * statement batches (server/db/commit-worker.mjs): each batch's COMMIT waits for an fsync
 * (synchronous=FULL), and waiting there instead of on the event loop lets every stream go on
 * meanwhile, while what arrives during one fsync shares the next. One batch at a time.
 */
export class CommitThread {
	readonly #worker: Worker;
	readonly #ready: Promise<void>;
	/** SQL the worker has been sent, by id. */
	readonly #sent = new Set<number>();
	#batch = 0;
	#waiting: { batch: number; resolve(results: ThreadResult[]): void; reject(error: Error): void } | null = null;
	#dead: Error | null = null;

	constructor(path: string) {
		this.#worker = new Worker(new URL('./commit-worker.mjs', import.meta.url), {
			// better-sqlite3 resolves from here: node_modules beside server/ or dist/server/.
			workerData: { path, requireFrom: import.meta.url, pragmas: PRAGMAS }
		});
		this.#worker.unref();
		this.#ready = new Promise<void>((resolve, reject) => {
			this.#worker.once('message', (message) => (message === 'ready' ? resolve() : reject(new Error('the commit thread did not start'))));
			this.#worker.once('error', reject);
		});
		this.#ready.catch(() => undefined);
		this.#worker.on('message', (reply: Reply | 'ready') => {
			if (reply !== 'ready') this.#answer(reply);
		});
		this.#worker.on('error', (error) => this.#die(error));
		this.#worker.on('exit', (code) => this.#die(new Error(`the commit thread stopped (exit code ${code})`)));
	}

	/** False once the thread has stopped, on purpose or not. */
	get alive(): boolean {
		return this.#dead === null;
	}

	/** Runs one batch in one transaction; resolves once it is committed. */
	async run(ops: ThreadOp[], sqlOf: (id: number) => string): Promise<ThreadResult[]> {
		await this.#ready;
		if (this.#dead) throw this.#dead;
		if (this.#waiting) throw new Error('the commit thread runs one batch at a time');
		const sql: Array<[number, string]> = [];
		for (const op of ops) {
			for (const [id] of op) {
				if (this.#sent.has(id)) continue;
				this.#sent.add(id);
				sql.push([id, sqlOf(id)]);
			}
		}
		const batch = ++this.#batch;
		return new Promise<ThreadResult[]>((resolve, reject) => {
			this.#waiting = { batch, resolve, reject };
			// Held while a batch is out: a process must not exit with a commit on its way.
			this.#worker.ref();
			this.#worker.postMessage({ batch, sql, ops });
		});
	}

	/** Ends the thread and closes its connection. */
	async close(): Promise<void> {
		if (this.#dead) return;
		const exited = new Promise<void>((resolve) => this.#worker.once('exit', () => resolve()));
		this.#worker.postMessage('close');
		await exited;
	}

	#answer(reply: Reply): void {
		const waiting = this.#waiting;
		if (!waiting || waiting.batch !== reply.batch) return;
		this.#waiting = null;
		this.#worker.unref();
		if ('failed' in reply) waiting.reject(toError(reply.failed));
		else waiting.resolve(reply.results.map((r) => ('error' in r ? { error: toError(r.error) } : r)));
	}

	#die(error: Error): void {
		this.#dead ??= error;
		const waiting = this.#waiting;
		this.#waiting = null;
		waiting?.reject(error);
	}
}

function toError(wire: WireError): CommitThreadError {
	return new CommitThreadError(wire.message, wire.code);
}
