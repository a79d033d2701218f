import { eq } from 'drizzle-orm';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startApp, type RunningApp } from '../../../server/app';
import { users } from '../../../server/db/schema';
import { parseEnv } from '../../../server/env';
import type { Logger } from '../../../server/log';
import type { OrchestratorRequest } from '../../../server/orchestrator/orchestrator-types';

/**
 * The real server (startApp: SQLite, generation jobs, ledger, built-in simulator upstream) on one
 * fixed DATABASE_PATH, so it can be stopped and started again on the same file. The model test
 * talks to its services directly (push/pull from server/sync), not over HTTP.
 *
 * Also records what a history's invariants need from the server's side: every error logged (a
 * mutation that failed unexpectedly, a crashed reply, a failed settlement) and every call to the
 * orchestrator, which is the one way to the upstream.
 */
export class ModelServer {
	app!: RunningApp;
	restarts = 0;
	/** Error-level log lines, as `message fields`. */
	readonly errors: string[] = [];
	/** Every orchestrator.stream call's last turn (the prompt), across restarts. */
	readonly upstreamPrompts: string[] = [];
	/**
	 * In memory-backed /dev/shm when there is one: every push commits with an fsync
	 * (synchronous=FULL), which on a disk costs more wall time than the rest of the test.
	 * Durability across a restart is unaffected: the process, and so the file, lives on.
	 */
	private readonly dir = mkdtempSync(join(process.env.SYNC_MODEL_DB_DIR ?? (existsSync('/dev/shm') ? '/dev/shm' : tmpdir()), 'phosphor-sync-model-'));
	readonly databasePath = join(this.dir, 'phosphor.db');

	static async start(): Promise<ModelServer> {
		const server = new ModelServer();
		await server.boot();
		return server;
	}

	get services() {
		return this.app.services;
	}

	get db() {
		return this.app.services.db;
	}

	/** Stops the app (jobs end, settlements drain, the database closes) and starts it again on the same file. */
	async restart(): Promise<void> {
		await this.app.close();
		this.restarts++;
		await this.boot();
	}

	async stop(): Promise<void> {
		await this.app.close();
		rmSync(this.dir, { recursive: true, force: true });
	}

	/** A user, inserted directly (no password hashing: nobody signs in over HTTP here). */
	createUser(id: string): string {
		this.db.insert(users).values({ id, username: id, usernameKey: id.toLowerCase(), passwordHash: 'unused', isAdmin: false, createdAt: 0 }).run();
		return id;
	}

	userExists(id: string): boolean {
		return this.db.select({ id: users.id }).from(users).where(eq(users.id, id)).get() !== undefined;
	}

	private async boot(): Promise<void> {
		const env = parseEnv({ HOST: '127.0.0.1', PORT: '0', DATABASE_PATH: this.databasePath, LOG_LEVEL: 'error' });
		this.app = await startApp(env, this.logger());
		const orchestrator = this.app.services.orchestrator;
		const original = orchestrator.stream;
		const prompts = this.upstreamPrompts;
		orchestrator.stream = function (request: OrchestratorRequest) {
			const last = request.messages.at(-1)?.content;
			prompts.push(typeof last === 'string' ? last : '');
			return original.call(this, request);
		};
	}

	private logger(): Logger {
		const errors = this.errors;
		const ignore = () => {};
		return {
			debug: ignore,
			info: ignore,
			warn: ignore,
			notice: ignore,
			error: (message, fields) => errors.push(`${message} ${describe(fields)}`)
		};
	}
}

function describe(fields: Record<string, unknown> | undefined): string {
	if (!fields) return '';
	return Object.entries(fields)
		.map(([k, v]) => `${k}=${v instanceof Error ? `${v.name}: ${v.message}` : JSON.stringify(v)}`)
		.join(' ');
}
