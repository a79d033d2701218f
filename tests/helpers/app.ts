import { startApp, type RunningApp } from '../../server/app';
import { parseEnv } from '../../server/env';
import { createLogger } from '../../server/log';
import { tempDir } from './temp-dir';

export interface TestApp extends RunningApp {
	dir: string;
	logs: string[];
	/** Stops the server and removes its temp directory. */
	stop(): Promise<void>;
}

/** The real server, in this process, on a free loopback port with a fresh database. */
export async function startTestApp(env: Record<string, string> = {}): Promise<TestApp> {
	const dir = tempDir('phosphor-int-');
	const logs: string[] = [];
	const app = await startApp(
		parseEnv({ HOST: '127.0.0.1', PORT: '0', DATABASE_PATH: `${dir.path}/phosphor.db`, LOG_LEVEL: 'debug', ...env }),
		createLogger('debug', (line) => logs.push(line))
	);
	return {
		...app,
		dir: dir.path,
		logs,
		stop: async () => {
			await app.close();
			dir.cleanup();
		}
	};
}

/** Pulls the setup code out of the log lines. */
export function setupCodeFrom(logs: string[]): string {
	const match = logs.join('\n').match(/Setup code: ([A-Z0-9]{4}-[A-Z0-9]{4}-[A-Z0-9]{4})/);
	if (!match?.[1]) throw new Error(`no setup code in the log:\n${logs.join('\n')}`);
	return match[1];
}
