// @ts-check
// The commit thread (server/db/commit-thread.ts): a connection of its own that runs the writer's
// statement batches, so that COMMIT and its fsync (synchronous=FULL) never block the event loop.
// Plain JavaScript on purpose: it runs as it is under tsx, vitest and the compiled server alike
// (a worker does not inherit the TypeScript loader of the thread that starts it).
import { createRequire } from 'node:module';
import { parentPort, workerData } from 'node:worker_threads';

/** @type {{ path: string; requireFrom: string; pragmas: string[] }} */
const { path, requireFrom, pragmas } = workerData;
const Database = createRequire(requireFrom)('better-sqlite3');
const db = new Database(path);
for (const pragma of pragmas) db.pragma(pragma);

/** @type {Map<number, string>} */
const sqlById = new Map();
/** @type {Map<number, import('better-sqlite3').Statement>} */
const prepared = new Map();
const savepoint = db.prepare('SAVEPOINT op');
const release = db.prepare('RELEASE op');
const rollbackTo = db.prepare('ROLLBACK TO op');

/** @param {unknown} error */
const describe = (error) => ({
	message: error instanceof Error ? error.message : String(error),
	code: error && typeof error === 'object' && 'code' in error ? String(error.code) : null
});

/** @param {number} id */
function statement(id) {
	let found = prepared.get(id);
	if (!found) {
		const sql = sqlById.get(id);
		if (sql === undefined) throw new Error(`statement ${id} was never sent to the commit thread`);
		found = db.prepare(sql);
		prepared.set(id, found);
	}
	return found;
}

/**
 * One batch: every operation in a savepoint of its own (one that fails is rolled back alone), all
 * of them in one transaction, one COMMIT. Answers the changes of each statement, or the error of
 * each failed operation, or the one error that failed the whole batch.
 * @param {{ batch: number; sql: Array<[number, string]>; ops: Array<Array<[number, unknown]>> }} message
 */
function runBatch({ batch, sql, ops }) {
	for (const [id, text] of sql) sqlById.set(id, text);
	/** @type {Array<{ changes: number[] } | { error: { message: string; code: string | null } }>} */
	const results = [];
	try {
		db.exec('BEGIN IMMEDIATE');
		for (const op of ops) {
			savepoint.run();
			try {
				const changes = op.map(([id, params]) => (Array.isArray(params) ? statement(id).run(...params) : statement(id).run(params)).changes);
				release.run();
				results.push({ changes });
			} catch (error) {
				rollbackTo.run();
				release.run();
				results.push({ error: describe(error) });
			}
		}
		db.exec('COMMIT');
	} catch (error) {
		if (db.inTransaction) db.exec('ROLLBACK');
		parentPort?.postMessage({ batch, failed: describe(error) });
		return;
	}
	parentPort?.postMessage({ batch, results });
}

parentPort?.on('message', (message) => {
	if (message === 'close') {
		db.close();
		process.exit(0);
	}
	runBatch(message);
});
parentPort?.postMessage('ready');
