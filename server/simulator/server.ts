import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { isAbortError } from './abortable';
import type { SimulatorContext } from './context';
import { sendError } from './errors';
import { FailureCounter } from './faults';
import { BodyTooLargeError } from './http-io';
import { API_PREFIX, route } from './router';
import { StatsRecorder, type SimulatorStats } from './stats';

export interface SimulatorOptions {
	/** 0 (the default) picks a free port. */
	port?: number;
	host?: string;
	/** Seed for requests that carry none. */
	seed?: number;
	log?: (line: string) => void;
	/** When set, completions and generation lookups need `Authorization: Bearer <requireKey>`. */
	requireKey?: string;
	/** Every generation answers 404 to its first N lookups (as OpenRouter does briefly after a stream). */
	lookupMisses?: number;
}

export interface Simulator {
	/** Base URL ending in /api/v1, ready for an OpenAI-compatible client. */
	url: string;
	port: number;
	stats: SimulatorStats;
	/** Stops listening and cuts every connection, hung ones included. */
	close(): Promise<void>;
}

function urlHost(host: string): string {
	if (host === '0.0.0.0' || host === '') return '127.0.0.1';
	if (host === '::') return '[::1]';
	return host.includes(':') ? `[${host}]` : host;
}

function logOnClose(req: IncomingMessage, res: ServerResponse, log: (line: string) => void): void {
	const started = Date.now();
	res.on('close', () => {
		const state = res.writableEnded ? String(res.statusCode) : 'aborted';
		log(`${req.method ?? '?'} ${req.url ?? '/'} ${state} ${Date.now() - started}ms`);
	});
}

export async function startSimulator(options: SimulatorOptions = {}): Promise<Simulator> {
	const host = options.host ?? '127.0.0.1';
	const log = options.log ?? ((): void => {});
	const stats = new StatsRecorder();
	const sockets = new Set<Socket>();
	let closing = false;
	const ctx: SimulatorContext = {
		stats,
		failures: new FailureCounter(),
		seed: options.seed ?? 0,
		requireKey: options.requireKey,
		lookupMisses: new Map(),
		defaultLookupMisses: options.lookupMisses ?? 0,
		log,
		isClosing: () => closing
	};

	const handle = (req: IncomingMessage, res: ServerResponse): void => {
		if (options.log) logOnClose(req, res, options.log);
		route(ctx, req, res).catch((error: unknown) => {
			if (isAbortError(error)) return;
			if (res.headersSent) {
				res.destroy();
				return;
			}
			if (error instanceof BodyTooLargeError) return sendError(res, 413, error.message);
			log(`simulator error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
			sendError(res, 500, 'Simulator internal error');
		});
	};

	const server = createServer(handle);
	server.on('connection', (socket) => {
		sockets.add(socket);
		stats.openConnections++;
		socket.on('close', () => {
			sockets.delete(socket);
			stats.openConnections--;
		});
	});

	await new Promise<void>((resolve, reject) => {
		server.once('error', reject);
		server.listen(options.port ?? 0, host, () => {
			server.off('error', reject);
			resolve();
		});
	});
	const port = (server.address() as AddressInfo).port;

	return {
		url: `http://${urlHost(host)}:${port}${API_PREFIX}`,
		port,
		stats,
		close: () => {
			closing = true;
			const closed = new Promise<void>((resolve) => server.close(() => resolve()));
			for (const socket of sockets) socket.destroy();
			return closed;
		}
	};
}
