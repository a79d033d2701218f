import { createServer } from 'node:net';
import { startProcess } from './processes';

/** The app's own default port: Portkey would take it when not told otherwise. */
const APP_PORT = 8787;

/** A port free right now: Portkey takes its port only as `--port=N` and prints no address it bound. */
async function freePort(): Promise<number> {
	const probe = createServer();
	await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
	const address = probe.address();
	await new Promise((r) => probe.close(r));
	if (!address || typeof address === 'string' || address.port === APP_PORT) throw new Error('no free port for Portkey');
	return address.port;
}

/**
 * The peer gateway: Portkey's open-source gateway (`@portkey-ai/gateway`, a dev dependency), run as
 * it ships, headless (no UI, no log stream), routing every request to `upstream` as an OpenAI
 * provider. `withoutFirstEventDelay` loads it with its fixed 25 ms first-event sleep taken out
 * (bench/lib/portkey-without-delay-hooks.mjs), a second figure for the path's own cost.
 */
export async function startPortkeyProcess(upstream: string, { withoutFirstEventDelay = false, nodeArgs = [] as string[] } = {}) {
	const port = await freePort();
	const proc = await startProcess(
		[
			...nodeArgs,
			...(withoutFirstEventDelay ? ['--import', './bench/lib/portkey-without-delay.mjs'] : []),
			'node_modules/@portkey-ai/gateway/build/start-server.js',
			`--port=${port}`,
			'--headless'
		],
		{},
		/(Ready for connections)/
	);
	return {
		...proc,
		url: `http://127.0.0.1:${port}/v1`,
		headers: { 'x-portkey-provider': 'openai', 'x-portkey-custom-host': upstream }
	};
}
