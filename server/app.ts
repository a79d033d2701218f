import { createHTTPHandler } from '@trpc/server/adapters/standalone';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createSessionStore } from './auth/sessions';
import { LoginThrottle } from './auth/login-throttle';
import { SetupCode } from './auth/setup-code';
import { countUsers } from './auth/users';
import { openDatabase } from './db/client';
import type { Env } from './env';
import { healthz, readyz, sendJson } from './http/health';
import { metrics } from './http/metrics';
import { createOpenAiApi } from './http/openai-api/router';
import { isCrossOriginMutation, setSecurityHeaders } from './http/security-headers';
import { createStaticHandler } from './http/static-files';
import type { Logger } from './log';
import { GenerationJobs } from './generations/generation-jobs';
import { createMetering, drainSettlements } from './ledger/metering';
import { Reconciler } from './ledger/reconcile';
import { EventBus } from './events/event-bus';
import { createOrchestrator } from './orchestrator/orchestrator';
import type { ResilienceConfig } from './orchestrator/resilience-config';
import { createUpstream, type UpstreamConfig } from './orchestrator/upstream';
import { appRouter } from './routers/_app';
import type { Services } from './services';
import { startSimulator } from './simulator/server';
import { createContextFactory } from './trpc/context';

const OPENROUTER_URL = 'https://openrouter.ai/api/v1';
/** Calls per tRPC batch: enough for the app, too few to multiply any per-call limit. */
export const MAX_BATCH_SIZE = 16;
/** How long shutdown waits for in-flight requests before cutting the sockets. */
const DRAIN_TIMEOUT_MS = 5_000;

export interface RunningApp {
	server: Server;
	url: string;
	services: Services;
	close(): Promise<void>;
}

/** Opens the database, picks the upstream, and serves everything on one port (docs/architecture.md#one-process). */
export async function startApp(env: Env, log: Logger): Promise<RunningApp> {
	const database = openDatabase(env.DATABASE_PATH);
	let simulator: Awaited<ReturnType<typeof startSimulator>> | null = null;
	try {
		let upstreamConfig: UpstreamConfig;
		if (env.OPENROUTER_API_KEY || env.UPSTREAM_BASE_URL) {
			upstreamConfig = {
				baseURL: env.UPSTREAM_BASE_URL ?? OPENROUTER_URL,
				apiKey: env.OPENROUTER_API_KEY ?? 'none',
				referer: env.PUBLIC_ORIGIN ?? 'https://github.com/phosphor-chat/phosphor',
				// openrouter/auto has a variable price, which no budget can hold: a fixed-price default instead.
				defaultModel: env.DEFAULT_MODEL ?? 'openai/gpt-4o-mini',
				simulated: false
			};
		} else {
			simulator = await startSimulator({ port: 0, host: '127.0.0.1' });
			upstreamConfig = {
				baseURL: simulator.url,
				apiKey: 'simulator',
				referer: env.PUBLIC_ORIGIN ?? 'http://localhost',
				defaultModel: env.DEFAULT_MODEL ?? 'sim/echo-mini',
				simulated: true
			};
			log.info('no OPENROUTER_API_KEY: using the built-in OpenRouter simulator', { url: simulator.url });
		}
		const upstream = createUpstream(upstreamConfig);
		const bus = new EventBus();
		const orchestrator = createOrchestrator(upstream, resilienceFrom(env), bus);
		const metering = createMetering({ db: database.db, sqlite: database.sqlite, upstream, orchestrator, bus, log });
		const jobs = new GenerationJobs(database.db, metering, bus, log);
		const recovered = jobs.recoverInterrupted();
		if (recovered > 0) log.warn('marked replies interrupted by a restart as failed', { count: recovered });
		const reconciler = new Reconciler(metering, database.db, log, env.RECONCILE_RETRY_MS ? [env.RECONCILE_RETRY_MS] : undefined);
		bus.subscribe(({ event }) => {
			if (event.type === 'breaker') log.warn(`circuit ${event.state} for ${event.model}`);
			else if (event.type === 'retry') log.info(`retrying ${event.model}`, { attempt: event.attempt, delayMs: event.delayMs, reason: event.reason });
			else if (event.type === 'fallback') log.warn(`falling back from ${event.from} to ${event.to}`, { reason: event.reason });
		});
		const services: Services = {
			env,
			log,
			db: database.db,
			sqlite: database.sqlite,
			sessions: createSessionStore(database.db),
			setupCode: new SetupCode(),
			loginThrottle: new LoginThrottle(),
			upstream,
			bus,
			orchestrator,
			metering,
			jobs,
			secureCookies: env.PUBLIC_ORIGIN?.startsWith('https:') ?? false
		};
		services.sessions.purgeExpired();
		if (countUsers(database.db) === 0) announceSetupCode(services);

		const trpc = createHTTPHandler({
			router: appRouter,
			basePath: '/trpc/',
			createContext: createContextFactory(services),
			// A push of mutations can carry imported conversations; clients keep each push under 2 MiB.
			maxBodySize: 4 * 1024 * 1024,
			maxBatchSize: MAX_BATCH_SIZE,
			onError({ error, path }) {
				if (error.code === 'INTERNAL_SERVER_ERROR') log.error('trpc error', { path, error: error.cause ?? error });
			}
		});
		const serveStatic = createStaticHandler(env.STATIC_DIR);
		// /v1 streams are not jobs: shutdown ends them through this signal instead of waiting on them.
		const shutdown = new AbortController();
		const openAiApi = createOpenAiApi(services, shutdown.signal);
		let draining = false;

		const server = createServer((req, res) => {
			setSecurityHeaders(res);
			const url = new URL(req.url ?? '/', 'http://localhost');
			const path = url.pathname;
			if (path === '/healthz') return healthz(res);
			if (path === '/readyz') return readyz(res, database.sqlite, { draining, catalog: metering.catalog.state, reconciliation: reconciler.pending() });
			if (path === '/metrics') return metrics(res, services);
			if (path === '/trpc' || path.startsWith('/trpc/')) {
				if (isCrossOriginMutation(req, env.PUBLIC_ORIGIN)) {
					return sendJson(res, 403, { error: { message: 'Cross-origin requests may not change anything.' } });
				}
				res.setHeader('Cache-Control', 'no-store');
				return trpc(req, res);
			}
			if (path === '/v1' || path.startsWith('/v1/')) return void openAiApi(req, res, path);
			serveStatic(req, res, path);
		});
		server.keepAliveTimeout = 65_000;
		await new Promise<void>((resolve, reject) => {
			server.once('error', reject);
			server.listen(env.PORT, env.HOST, () => {
				server.off('error', reject);
				resolve();
			});
		});
		// Only once the server listens: whatever the provider does, these wait on it in the background.
		metering.catalog.start();
		reconciler.start();
		const address = server.address() as AddressInfo;
		const url = `http://${address.family === 'IPv6' ? `[${address.address}]` : address.address}:${address.port}`;

		let closing: Promise<void> | null = null;
		const close = () =>
			(closing ??= (async () => {
				draining = true;
				shutdown.abort();
				const stopped = new Promise<void>((resolve) => server.close(() => resolve()));
				// Ending the jobs ends their attached streams, which lets those requests finish.
				const jobsStopped = services.jobs.stopAll();
				// Keep-alive sockets become idle as their last response ends; close each as soon as it does.
				server.closeIdleConnections();
				const sweep = setInterval(() => server.closeIdleConnections(), 50);
				const force = setTimeout(() => server.closeAllConnections(), DRAIN_TIMEOUT_MS);
				await Promise.all([stopped, jobsStopped]);
				clearInterval(sweep);
				clearTimeout(force);
				// Lookups need the upstream: settle before the simulator goes.
				metering.catalog.stop();
				await reconciler.stop();
				await drainSettlements(metering, DRAIN_TIMEOUT_MS);
				await simulator?.close();
				database.close();
			})());
		return { server, url, services, close };
	} catch (error) {
		await simulator?.close();
		database.close();
		throw error;
	}
}

function resilienceFrom(env: Env): ResilienceConfig {
	return {
		firstTokenTimeoutMs: env.UPSTREAM_FIRST_TOKEN_TIMEOUT_MS,
		idleTimeoutMs: env.UPSTREAM_IDLE_TIMEOUT_MS,
		maxRetries: env.UPSTREAM_MAX_RETRIES,
		retryBaseDelayMs: env.UPSTREAM_RETRY_BASE_DELAY_MS,
		maxRetryAfterMs: env.UPSTREAM_MAX_RETRY_AFTER_MS,
		breakerThreshold: env.BREAKER_THRESHOLD,
		breakerHalfOpenAfterMs: env.BREAKER_HALF_OPEN_AFTER_MS,
		fallbackModels: env.FALLBACK_MODELS
	};
}

function announceSetupCode(services: Services): void {
	const code = services.setupCode.issue();
	services.log.notice(
		[
			'',
			'  ┌──────────────────────────────────────────────────────────────┐',
			'  │ First run: no user exists yet.                               │',
			`  │ Setup code: ${code}                                   │`,
			'  │ Open the app and enter this code to create the admin.        │',
			'  └──────────────────────────────────────────────────────────────┘',
			''
		].join('\n')
	);
}
