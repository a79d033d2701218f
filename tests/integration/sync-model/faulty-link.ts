import { PullRequest, PushRequest, type PullResponse, type PushResponse, type SyncServer } from '../../../src/lib/domain/sync';
import { SyncNetworkError, SyncUnauthorizedError } from '../../../src/lib/client/sync/errors';
import { pull } from '../../../server/sync/pull';
import { ForeignClientError, push } from '../../../server/sync/push';
import type { ModelServer } from './model-server';

/**
 * What happens to the call a client has in flight when the test delivers it:
 * - ok: it reaches the server and the answer reaches the client.
 * - dropRequest: it never reaches the server; the client sees SyncNetworkError.
 * - dropResponse: the server handles it; the answer is lost (SyncNetworkError).
 * - duplicate: it reaches the server twice at once; the client gets one of the two answers.
 * - delay: held in the network and delivered later (deliverLate); the client times out meanwhile.
 * - duplicateLate: handled and answered now, and a copy is held for later.
 * - dropResponseLate: handled now, the answer lost, and a copy held for later (a retried request the network also kept).
 * - serverError: a 500 before the server did anything.
 * - errorAfterApply: the server handled it, then answered 500.
 * A held pull is simply a dropped one: pulls change nothing on the server.
 */
export const FAULTS = ['ok', 'dropRequest', 'dropResponse', 'duplicate', 'delay', 'duplicateLate', 'dropResponseLate', 'serverError', 'errorAfterApply'] as const;
export type Fault = (typeof FAULTS)[number];

type Call =
	| { kind: 'push'; body: string; resolve: (response: PushResponse) => void; reject: (error: Error) => void }
	| { kind: 'pull'; body: string; resolve: (response: PullResponse) => void; reject: (error: Error) => void };

/** The server's answer as the router would give it, or the error the tRPC client would surface. */
class ServerRefused extends Error {
	override name = 'ServerRefused';
}

/**
 * One client's path to the real server's push/pull (as server/routers/sync.ts calls them), gated:
 * a call waits in `pending` until the test delivers it, with a fault or not. The engine is
 * single-flight, so at most one call is pending per client. Requests and answers cross as JSON,
 * as over the wire, and requests are validated with the router's input schemas.
 */
export class FaultyLink implements SyncServer {
	/** Offline: every call fails at once with SyncNetworkError, and so does a pending one when delivered. */
	partitioned = false;
	/** The session expired: every call fails with SyncUnauthorizedError until signed in again. */
	signedOut = false;
	/** Torn down: every call fails, pending or not. */
	private closed = false;
	pending: Call | null = null;
	/** Calls made by the engine so far (for settling). */
	calls = 0;
	/** Pushes held by the network (`delay`, `duplicateLate`), oldest first. */
	readonly late: string[] = [];
	/** Every push the engine sent, as sent, in order. */
	readonly sentPushes: string[] = [];
	/** Pushes that reached the server (duplicates and late ones included). */
	serverPushes = 0;
	/** Calls delivered, by fault and kind (`dropResponse push`), for the run's summary. */
	readonly delivered = new Map<string, number>();
	private waiters: Array<() => void> = [];

	constructor(
		private readonly server: ModelServer,
		readonly userId: string
	) {}

	push(request: PushRequest): Promise<PushResponse> {
		const body = JSON.stringify(request);
		this.sentPushes.push(body);
		return new Promise<PushResponse>((resolve, reject) => this.arrive({ kind: 'push', body, resolve, reject }));
	}

	pull(request: PullRequest): Promise<PullResponse> {
		const body = JSON.stringify(request);
		return new Promise<PullResponse>((resolve, reject) => this.arrive({ kind: 'pull', body, resolve, reject }));
	}

	/** Resolves once a call is pending (at once if one is). */
	waitForCall(): Promise<void> {
		if (this.pending) return Promise.resolve();
		return new Promise((resolve) => this.waiters.push(resolve));
	}

	/** Delivers the pending call with `fault`; `answer` picks which answer of a duplicate the client gets. Returns whether there was one. */
	async deliver(fault: Fault, answer: 0 | 1 = 0): Promise<boolean> {
		const call = this.pending;
		if (!call) return false;
		this.pending = null;
		const what = `${this.partitioned ? 'partitioned' : this.signedOut ? 'signedOut' : fault} ${call.kind}`;
		this.delivered.set(what, (this.delivered.get(what) ?? 0) + 1);
		if (this.closed) {
			call.reject(new SyncNetworkError('Torn down.'));
			return true;
		}
		if (this.partitioned) {
			call.reject(new SyncNetworkError());
			return true;
		}
		if (this.signedOut) {
			call.reject(new SyncUnauthorizedError());
			return true;
		}
		try {
			switch (fault) {
				case 'ok':
					this.answer(call, await this.handle(call));
					break;
				case 'dropRequest':
					call.reject(new SyncNetworkError('The request was lost.'));
					break;
				case 'dropResponse':
					await this.handle(call);
					call.reject(new SyncNetworkError('The connection dropped before the response arrived.'));
					break;
				case 'duplicate': {
					const answers = await Promise.all([this.handle(call), this.handle(call)]);
					this.answer(call, answers[answer]);
					break;
				}
				case 'delay':
					if (call.kind === 'push') this.late.push(call.body);
					call.reject(new SyncNetworkError('The request timed out.'));
					break;
				case 'duplicateLate':
					if (call.kind === 'push') this.late.push(call.body);
					this.answer(call, await this.handle(call));
					break;
				case 'dropResponseLate':
					if (call.kind === 'push') this.late.push(call.body);
					await this.handle(call);
					call.reject(new SyncNetworkError('The connection dropped before the response arrived.'));
					break;
				case 'serverError':
					call.reject(new Error('Internal server error'));
					break;
				case 'errorAfterApply':
					await this.handle(call);
					call.reject(new Error('Internal server error'));
					break;
			}
		} catch (error) {
			// The server refused the request itself (e.g. a foreign client id): the client sees a server error.
			call.reject(error instanceof Error ? error : new Error(String(error)));
		}
		return true;
	}

	/** Delivers a held push to the server now (its answer goes nowhere: the client gave up on it). */
	async deliverLate(index: number): Promise<PushResponse | null> {
		if (this.late.length === 0) return null;
		const [body] = this.late.splice(index % this.late.length, 1);
		return this.serverPush(body ?? '');
	}

	/** Sends a push to the server directly, as a retry of the wire would (for checks). */
	serverPush(body: string): Promise<PushResponse> {
		this.serverPushes++;
		const input = PushRequest.parse(JSON.parse(body));
		const { db, metering, jobs, bus, log } = this.server.services;
		return push({ db, writer: metering.writer, jobs, bus, log }, this.userId, input).then(wire, refuse);
	}

	serverPull(body: string): PullResponse {
		const input = PullRequest.parse(JSON.parse(body));
		try {
			return wire(pull(this.server.db, this.userId, input));
		} catch (error) {
			return refuse(error);
		}
	}

	/** Fails whatever is pending and everything after: for tearing a device down. */
	close(): void {
		this.closed = true;
		const call = this.pending;
		this.pending = null;
		call?.reject(new SyncNetworkError('Torn down.'));
	}

	private arrive(call: Call): void {
		this.calls++;
		if (this.closed || this.partitioned) return call.reject(new SyncNetworkError());
		if (this.signedOut) return call.reject(new SyncUnauthorizedError());
		if (this.pending) {
			// The engine is single-flight: a second call while one is in flight is a bug in the engine.
			const error = new Error(`two calls in flight at once (${this.pending.kind} and ${call.kind})`);
			this.pending.reject(error);
			call.reject(error);
			this.pending = null;
			throw error;
		}
		this.pending = call;
		for (const wake of this.waiters.splice(0)) wake();
	}

	private async handle(call: Call): Promise<PushResponse | PullResponse> {
		return call.kind === 'push' ? this.serverPush(call.body) : this.serverPull(call.body);
	}

	private answer(call: Call, response: PushResponse | PullResponse | undefined): void {
		if (response && 'more' in response && response.more) this.delivered.set('pull pages with more', (this.delivered.get('pull pages with more') ?? 0) + 1);
		// The kinds match: handle() answered this call's kind.
		(call.resolve as (r: PushResponse | PullResponse | undefined) => void)(structuredClone(response));
	}
}

function wire<T>(value: T): T {
	return JSON.parse(JSON.stringify(value)) as T;
}

function refuse(error: unknown): never {
	if (error instanceof ForeignClientError) throw new ServerRefused(`403: ${error.message}`);
	throw error;
}
