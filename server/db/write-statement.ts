import type Database from 'better-sqlite3';
import type { StatementParams } from './commit-thread';

/**
 * A write the group-commit writer can run on either connection: shipped to its commit thread as an
 * id and parameters (server/db/commit-thread.ts), or run at once on the writer's own connection
 * inside a closure operation. Parameters must survive structured cloning: strings, numbers, null.
 */
export class WriteStatement<P extends StatementParams> {
	#prepared: Database.Statement | null = null;

	constructor(
		readonly id: number,
		readonly sql: string,
		private readonly sqlite: Database.Database
	) {}

	call(params: P): StatementCall {
		return new StatementCall(this, params);
	}

	/** On the writer's own connection: only inside one of its operations. */
	runHere(params: StatementParams): Database.RunResult {
		this.#prepared ??= this.sqlite.prepare(this.sql);
		return Array.isArray(params) ? this.#prepared.run(...(params as unknown[])) : this.#prepared.run(params);
	}
}

/** A statement with its parameters, queued with `BatchedWriter.write` or run with `runHere`. */
export class StatementCall {
	constructor(
		readonly statement: WriteStatement<StatementParams>,
		readonly params: StatementParams
	) {}

	/** On the writer's own connection: only inside one of its operations. */
	runHere(): Database.RunResult {
		return this.statement.runHere(this.params);
	}
}
