import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { EventStream } from '../../orchestrator/event-stream';
import type { OrchestratorEvent } from '../../orchestrator/orchestrator-types';
import { streamCompletion } from './chat-completion-sse';

/** Serves one stream of `events` and returns the raw body the client received. */
export async function serve(events: OrchestratorEvent[], options = { created: 1_700_000_000, includeUsage: true, requestedModel: 'asked/model' }) {
	const server = createServer((_req, res) => {
		const source = new EventStream<OrchestratorEvent>(() => {
			void (async () => {
				for (const event of events) {
					source.push(event);
					// Some events in the same tick, some not: batching must not change the bytes.
					if (event.type === 'delta' && event.text.length % 2 === 0) await new Promise((r) => setTimeout(r, 1));
				}
				source.end();
			})();
		});
		void streamCompletion(res, source, options);
	});
	await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
	try {
		const { port } = server.address() as AddressInfo;
		return await (await fetch(`http://127.0.0.1:${port}/`)).text();
	} finally {
		server.close();
	}
}
