import type { PullRequest, PullResponse, PushRequest, PushResponse, SyncServer } from '../../domain/sync';
import { SyncNetworkError, SyncUnauthorizedError } from './errors';
import type { MemorySyncServer } from './memory-sync-server';

export type SyncCall = { type: 'push'; request: PushRequest } | { type: 'pull'; request: PullRequest };

/**
 * One client's path to a MemorySyncServer, with the faults a real network has. Requests and
 * responses are deep-copied, as a wire would, so neither side can alias the other's objects.
 */
export class MemorySyncConnection implements SyncServer {
	/** Every call fails with SyncNetworkError before reaching the server. */
	offline = false;
	/** Every call fails with SyncUnauthorizedError (HTTP 401), as after the session expired. */
	unauthorized = false;
	/** Every call that reached the server, in order. */
	readonly calls: SyncCall[] = [];
	private failures: Error[] = [];
	private drops = 0;
	private held: Promise<void> | null = null;

	constructor(
		readonly server: MemorySyncServer,
		readonly userId: string
	) {}

	/** The next `count` calls fail with `error` (a server error by default) without reaching the server. */
	failNext(count = 1, error: Error = new Error('Internal server error')): void {
		for (let i = 0; i < count; i++) this.failures.push(error);
	}

	/** The next `count` calls reach the server and take effect, but their responses are lost. */
	dropNextResponses(count = 1): void {
		this.drops += count;
	}

	/** Holds every call before it reaches the server until the returned function is called. */
	hold(): () => void {
		let release = () => {};
		const held = new Promise<void>((resolve) => (release = resolve));
		this.held = held;
		return () => {
			if (this.held === held) this.held = null;
			release();
		};
	}

	push(request: PushRequest): Promise<PushResponse> {
		const copy = structuredClone(request);
		return this.call({ type: 'push', request: copy }, () => this.server.push(this.userId, copy));
	}

	pull(request: PullRequest): Promise<PullResponse> {
		const copy = structuredClone(request);
		return this.call({ type: 'pull', request: copy }, () => this.server.pull(this.userId, copy));
	}

	private async call<T>(record: SyncCall, handle: () => T): Promise<T> {
		await Promise.resolve(); // answers never arrive synchronously, as over a network
		while (this.held) await this.held;
		if (this.offline) throw new SyncNetworkError();
		if (this.unauthorized) throw new SyncUnauthorizedError();
		const failure = this.failures.shift();
		if (failure) throw failure;
		this.calls.push(record);
		const response = structuredClone(handle());
		if (this.drops > 0) {
			this.drops--;
			throw new SyncNetworkError('The connection dropped before the response arrived.');
		}
		return response;
	}
}
