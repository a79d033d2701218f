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

export interface Readiness {
	draining: boolean;
	/** See ModelCatalog.state. */
	catalog: 'fresh' | 'stored' | 'pending';
	/** Background reconciliation still to do (see Reconciler.pending). */
	reconciliation: string[];
}

const CATALOG_TEXT = {
	fresh: 'ok',
	stored: 'serving the stored catalog; refreshing from the provider',
	pending: 'pending: no catalog yet; fetching it from the provider'
} as const;

/**
 * Readiness: the database answers and every committed migration is applied (else 503). What still
 * runs in the background after boot (catalog refresh, reconciliation) is listed under `pending`
 * without failing readiness: sign-in, history and sync work meanwhile.
 */
export function readyz(res: ServerResponse, sqlite: Database.Database, state: Readiness): void {
	const checks: Record<string, string> = {};
	try {
		sqlite.prepare('SELECT 1').get();
		checks.database = 'ok';
		checks.migrations = migrationsApplied(sqlite) ? 'ok' : 'pending';
	} catch (error) {
		checks.database = error instanceof Error ? error.message : 'unavailable';
		checks.migrations = 'unknown';
	}
	if (state.draining) checks.server = 'shutting down';
	const ready = Object.values(checks).every((v) => v === 'ok');
	checks.catalog = CATALOG_TEXT[state.catalog];
	checks.reconciliation = state.reconciliation.length ? state.reconciliation.join('; ') : 'ok';
	const pending = [...(state.catalog === 'fresh' ? [] : ['catalog']), ...(state.reconciliation.length ? ['reconciliation'] : [])];
	sendJson(res, ready ? 200 : 503, { status: ready ? 'ready' : 'not ready', checks, pending });
}
