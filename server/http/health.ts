import type Database from 'better-sqlite3';
import type { ServerResponse } from 'node:http';
import { migrationsApplied } from '../db/client';

export function sendJson(res: ServerResponse, status: number, body: unknown): void {
	const text = JSON.stringify(body);
	res.writeHead(status, {
		'Content-Type': 'application/json; charset=utf-8',
		'Content-Length': Buffer.byteLength(text),
		'Cache-Control': 'no-store'
	});
	res.end(text);
}

/** Liveness: the process answers. Nothing else is checked, so a slow disk cannot get it killed. */
export function healthz(res: ServerResponse): void {
	sendJson(res, 200, { status: 'ok' });
}

/** Readiness: the database answers and every committed migration is applied. */
export function readyz(res: ServerResponse, sqlite: Database.Database, draining: boolean): void {
	const checks: Record<string, 'ok' | string> = {};
	try {
		sqlite.prepare('SELECT 1').get();
		checks.database = 'ok';
		checks.migrations = migrationsApplied(sqlite) ? 'ok' : 'pending';
	} catch (error) {
		checks.database = error instanceof Error ? error.message : 'unavailable';
		checks.migrations = 'unknown';
	}
	if (draining) checks.server = 'shutting down';
	const ready = Object.values(checks).every((v) => v === 'ok');
	sendJson(res, ready ? 200 : 503, { status: ready ? 'ready' : 'not ready', checks });
}
