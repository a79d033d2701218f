import type { ServerResponse } from 'node:http';

/**
 * Aborts when the client goes away before the response is complete, or when the server shuts
 * down. The orchestrator passes the abort on to the upstream request, so a caller that hangs up
 * stops paying for tokens nobody will read.
 */
export function requestSignal(res: ServerResponse, shutdown: AbortSignal): AbortSignal {
	const clientGone = new AbortController();
	res.once('close', () => {
		if (!res.writableEnded) clientGone.abort(new Error('The client closed the connection.'));
	});
	return AbortSignal.any([clientGone.signal, shutdown]);
}
