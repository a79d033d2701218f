import type { ServerResponse } from 'node:http';

/**
 * One abort signal per /v1 request. It fires when the client goes away before the response is
 * complete, or when the server shuts down. The orchestrator passes the abort on to the upstream
 * request, so a caller that hangs up stops paying for tokens nobody will read.
 *
 * A set rather than `AbortSignal.any(…, shutdown)` or a listener per request on the shutdown
 * signal: with a thousand open streams those pile up on one long-lived signal (leak warnings,
 * and dependants kept alive until the next GC).
 */
export class InFlightRequests {
	#controllers = new Set<AbortController>();
	#shuttingDown = false;

	constructor(shutdown: AbortSignal) {
		const stopAll = () => {
			this.#shuttingDown = true;
			for (const controller of this.#controllers) controller.abort(new Error('The server is shutting down.'));
		};
		if (shutdown.aborted) stopAll();
		else shutdown.addEventListener('abort', stopAll, { once: true });
	}

	get shuttingDown(): boolean {
		return this.#shuttingDown;
	}

	/** The request's controller: its signal follows the client and shutdown; admission may abort it too. */
	controllerFor(res: ServerResponse): AbortController {
		const controller = new AbortController();
		if (this.#shuttingDown) controller.abort(new Error('The server is shutting down.'));
		// The client may have gone while the body was parsed: 'close' has fired and will not again.
		if (res.destroyed || res.socket?.destroyed === true) {
			controller.abort(new Error('The client closed the connection.'));
			return controller;
		}
		this.#controllers.add(controller);
		res.once('close', () => {
			this.#controllers.delete(controller);
			if (!res.writableEnded) controller.abort(new Error('The client closed the connection.'));
		});
		return controller;
	}
}
