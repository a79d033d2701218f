import { startApp } from './app';
import { DatabaseOpenError } from './db/client';
import { EnvError, parseEnv } from './env';
import { createLogger } from './log';

/** Problems a person fixes by changing configuration: one clear message, exit 1, no stack trace. */
function fail(message: string): never {
	process.stderr.write(`phosphor: ${message}\n`);
	process.exit(1);
}

async function main(): Promise<void> {
	let env;
	try {
		env = parseEnv(process.env);
	} catch (error) {
		if (error instanceof EnvError) fail(error.message);
		throw error;
	}
	const log = createLogger(env.LOG_LEVEL);
	// Handlers first: a signal during boot stops the server once it is up, instead of killing it mid-migration.
	let app: Awaited<ReturnType<typeof startApp>> | null = null;
	let stopSignal: string | null = null;
	const shutdown = (signal: string) => {
		if (stopSignal) return;
		stopSignal = signal;
		if (!app) return;
		log.info(`${signal}: shutting down (finishing in-flight requests)`);
		app.close().then(
			() => {
				log.info('stopped');
				process.exit(0);
			},
			(error: unknown) => {
				log.error('shutdown failed', { error });
				process.exit(1);
			}
		);
	};
	process.once('SIGTERM', () => shutdown('SIGTERM'));
	process.once('SIGINT', () => shutdown('SIGINT'));
	// Nothing but a signal or a fatal error may end the server; should it ever run out of work, say so.
	process.on('exit', (code) => {
		if (!stopSignal && code === 0) process.stderr.write('phosphor: the server stopped without a signal or an error (nothing left to do); this is a bug.\n');
	});
	try {
		app = await startApp(env, log);
	} catch (error) {
		if (error instanceof DatabaseOpenError) fail(error.message);
		if (error && typeof error === 'object' && 'code' in error && error.code === 'EADDRINUSE') {
			fail(`port ${env.PORT} on ${env.HOST} is already in use. Stop the other process or set PORT.`);
		}
		if (error && typeof error === 'object' && 'code' in error && error.code === 'EACCES') {
			fail(`no permission to listen on ${env.HOST}:${env.PORT}. Use a PORT above 1023.`);
		}
		throw error;
	}
	if (stopSignal) {
		const signal = stopSignal;
		stopSignal = null;
		shutdown(signal);
		return;
	}
	// Announced only once the signal handlers are in place: whoever waits for this line (a test,
	// a supervisor) may send SIGTERM at once, and a signal without a handler kills outright.
	const shown = env.HOST === '127.0.0.1' || env.HOST === '0.0.0.0' ? app.url.replace(/\/\/[^:]+:/, '//localhost:') : app.url;
	log.info(`Phosphor listening on ${shown}`);
}

main().catch((error: unknown) => {
	process.stderr.write(`phosphor: failed to start: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
	process.exit(1);
});
