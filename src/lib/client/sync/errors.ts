/**
 * What a SyncServer throws to steer the engine. The app's tRPC adapter maps HTTP 401 to
 * SyncUnauthorizedError and a failed fetch (no response at all) to SyncNetworkError; anything else
 * it throws is treated as a server error.
 */

/** The session is gone: stop syncing and keep the outbox until the person signs in again. */
export class SyncUnauthorizedError extends Error {
	override readonly name = 'SyncUnauthorizedError';
	constructor(message = 'Signed out: sign in again to sync your changes.', options?: ErrorOptions) {
		super(message, options);
	}
}

/** No response from the server (offline, DNS, connection reset): retry later. */
export class SyncNetworkError extends Error {
	override readonly name = 'SyncNetworkError';
	constructor(message = 'No connection to the server.', options?: ErrorOptions) {
		super(message, options);
	}
}

/** The server answered in a way the protocol does not allow; retrying may not help. */
export class SyncProtocolError extends Error {
	override readonly name = 'SyncProtocolError';
}
