import { startPortkeyProcess } from './portkey';
import { startBareProxyProcess, startServerProcess } from './processes';

/** What a bench sends its streams to. */
export interface Target {
	name: TargetName;
	/** Base URL of an OpenAI-compatible API (`…/chat/completions` is appended). */
	url: string;
	headers?: Record<string, string>;
	/** The process serving it, measured from outside (bench/lib/process-usage.ts); none for 'direct'. */
	pid?: number;
	stop(): Promise<void>;
}

/** The server under test, its floor and its peer, as every server bench names them. */
export const FLOOR = 'bare proxy';
export const OURS = 'phosphor';
export const PEER = 'portkey';
export const PEER_UNDELAYED = 'portkey, no delay';
export type TargetName = 'direct' | typeof FLOOR | typeof OURS | typeof PEER | typeof PEER_UNDELAYED;

/**
 * Starts the named targets in front of the simulator at `upstream`, each in a process of its own
 * ('direct' is the simulator itself, the zero every "added" figure is taken from), `nodeArgs` given
 * to each process alike.
 */
export async function startTargets(upstream: string, names: TargetName[], nodeArgs: string[] = []): Promise<Target[]> {
	const started: Target[] = [];
	try {
		for (const name of names) started.push(await startTarget(upstream, name, nodeArgs));
	} catch (error) {
		await stopTargets(started);
		throw error;
	}
	return started;
}

export async function stopTargets(targets: Target[]): Promise<void> {
	await Promise.all(targets.map((t) => t.stop()));
}

async function startTarget(upstream: string, name: TargetName, nodeArgs: string[]): Promise<Target> {
	switch (name) {
		case 'direct':
			return { name, url: upstream, stop: async () => {} };
		case FLOOR: {
			const proxy = await startBareProxyProcess(upstream, nodeArgs);
			return { name, url: proxy.url, pid: proxy.pid, stop: proxy.stop };
		}
		case OURS: {
			const server = await startServerProcess(upstream, nodeArgs);
			return { name, url: `${server.url}/v1`, headers: { authorization: `Bearer ${server.token}` }, pid: server.pid, stop: server.stop };
		}
		case PEER:
		case PEER_UNDELAYED: {
			const portkey = await startPortkeyProcess(upstream, { withoutFirstEventDelay: name === PEER_UNDELAYED, nodeArgs });
			return { name, url: portkey.url, headers: portkey.headers, pid: portkey.pid, stop: portkey.stop };
		}
	}
}
