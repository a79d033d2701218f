import { randomUUID } from 'node:crypto';
import { createUser } from '../../server/auth/users';
import type { OrchestratorRequest } from '../../server/orchestrator/orchestrator-types';
import type { MutationInput, MutationName, PullResponse, PushResponse } from '../../src/lib/domain/sync';
import type { TestApp } from './app';
import { subscribe } from './trpc-subscription';
import { TrpcHttp } from './trpc-http';

/** A mutation as a test writes it; the client numbers it. */
export type Change = { [N in MutationName]: { name: N; args: MutationInput<N> } }[MutationName];
/** A mutation with its id, as pushed on the wire (args may be anything: the server must cope). */
export type WireMutation = { id: number; name: string; args: unknown };

export const MODEL = 'sim/echo-mini';
export const id = (prefix: string) => `${prefix}-${randomUUID()}`;

/** Builders for the protocol's mutations, with the boring fields filled in. */
export const m = {
	createConversation: (convId: string, extra: Partial<MutationInput<'conversation.create'>> = {}): Change => ({
		name: 'conversation.create',
		args: { id: convId, model: MODEL, createdAt: Date.now(), ...extra }
	}),
	message: (msgId: string, conversationId: string, parentId: string | null, content: string): Change => ({
		name: 'message.create',
		args: { id: msgId, conversationId, parentId, content, createdAt: Date.now() }
	}),
	reply: (args: { id: string; conversationId: string; userMessageId: string; assistantMessageId: string } & Partial<MutationInput<'generation.request'>>): Change => ({
		name: 'generation.request',
		args: { createdAt: Date.now(), ...args }
	}),
	rename: (convId: string, title: string): Change => ({ name: 'conversation.rename', args: { id: convId, title } }),
	pin: (convId: string, pinned: boolean): Change => ({ name: 'conversation.pin', args: { id: convId, pinned } }),
	remove: (convId: string): Change => ({ name: 'conversation.delete', args: { id: convId } }),
	setActiveLeaf: (convId: string, leafId: string): Change => ({ name: 'conversation.setActiveLeaf', args: { id: convId, leafId } }),
	cancel: (generationId: string): Change => ({ name: 'generation.cancel', args: { id: generationId } })
};

/** Thrown when a push or pull does not answer 200: carries the status for assertions. */
export class SyncHttpError extends Error {
	constructor(
		readonly status: number,
		message: string
	) {
		super(`HTTP ${status}: ${message}`);
	}
}

/**
 * One device: a client id, its own mutation counter and pull cursor, speaking sync.push and
 * sync.pull over real HTTP with the session of the user it signed in as.
 */
export class SyncClient {
	nextMutationId = 1;
	cursor = 0;

	constructor(
		readonly http: TrpcHttp,
		readonly clientId: string = id('client')
	) {}

	/** Another device of the same user (same session cookie, new client id). */
	sibling(): SyncClient {
		const http = new TrpcHttp(this.http.baseUrl);
		for (const [k, v] of this.http.cookies) http.cookies.set(k, v);
		return new SyncClient(http);
	}

	/** Numbers the changes from this client's counter and pushes them. */
	async push(...changes: Change[]): Promise<PushResponse> {
		const mutations = changes.map((c) => ({ id: this.nextMutationId++, name: c.name, args: c.args }));
		return this.pushRaw(mutations);
	}

	/** Pushes exactly these mutations (ids as given): for duplicates, gaps and garbage. */
	async pushRaw(mutations: WireMutation[], clientId = this.clientId): Promise<PushResponse> {
		const res = await this.http.mutation('sync.push', { clientId, mutations });
		if (res.status !== 200) throw new SyncHttpError(res.status, res.json.error?.message ?? '');
		return res.json.result?.data as PushResponse;
	}

	/** One page from `cursor`, as this client (or as `clientId`; null: as no client). */
	async pull(cursor: number, clientId: string | null = this.clientId): Promise<PullResponse> {
		const res = await this.http.query('sync.pull', { cursor, ...(clientId ? { clientId } : {}) });
		if (res.status !== 200) throw new SyncHttpError(res.status, res.json.error?.message ?? '');
		return res.json.result?.data as PullResponse;
	}

	/** Every page from `from` until `more` is false. */
	async pullAll(from = 0): Promise<PullResponse[]> {
		const pages: PullResponse[] = [];
		let cursor = from;
		for (let i = 0; i < 1_000; i++) {
			const page = await this.pull(cursor);
			pages.push(page);
			cursor = page.cursor;
			if (!page.more) return pages;
		}
		throw new Error('pull never ended');
	}

	/** Pulls what changed since this client's cursor and advances it; returns the merged pages. */
	async sync(): Promise<PullResponse> {
		const pages = await this.pullAll(this.cursor);
		const merged = merge(pages);
		this.cursor = merged.cursor;
		return merged;
	}
}

/** Pages concatenated: rows in the order they came, the last page's cursor and lastMutationId. */
export function merge(pages: PullResponse[]): PullResponse {
	const last = pages.at(-1);
	if (!last) throw new Error('no pages');
	return {
		cursor: last.cursor,
		more: last.more,
		lastMutationId: last.lastMutationId,
		conversations: pages.flatMap((p) => p.conversations),
		messages: pages.flatMap((p) => p.messages),
		generations: pages.flatMap((p) => p.generations),
		rejections: pages.flatMap((p) => p.rejections)
	};
}

let users = 0;
/** A fresh user of this app, signed in over HTTP, with one sync client. */
export async function signUp(app: TestApp, name = `user${++users}`): Promise<SyncClient> {
	const password = `${name} long password`;
	await createUser(app.services.db, { username: name, password, isAdmin: false });
	const http = new TrpcHttp(app.url);
	const res = await http.mutation('auth.login', { username: name, password });
	if (res.status !== 200) throw new Error(`login as ${name} answered ${res.status}`);
	return new SyncClient(http);
}

/** Polls an async check until it returns a value other than undefined/false, or fails after `timeoutMs`. */
export async function eventually<T>(check: () => Promise<T | undefined | false> | T | undefined | false, timeoutMs = 10_000, what = 'condition'): Promise<T> {
	const deadline = Date.now() + timeoutMs;
	for (;;) {
		const value = await check();
		if (value !== undefined && value !== false) return value;
		if (Date.now() > deadline) throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}`);
		await new Promise((resolve) => setTimeout(resolve, 20));
	}
}

export function cookieOf(http: TrpcHttp): Record<string, string> {
	return { cookie: [...http.cookies].map(([k, v]) => `${k}=${v}`).join('; ') };
}

export type ServerEvent = { type: string; [key: string]: unknown };

/**
 * events.watch over SSE, collected in the background until `close()`. Resolves once the server
 * side listens on the bus (open watchers one at a time: readiness is read from the listener count).
 */
export async function watchEvents(app: TestApp, http: TrpcHttp) {
	const events: ServerEvent[] = [];
	const abort = new AbortController();
	const listening = app.services.bus.listenerCount;
	let failure: unknown;
	const running = (async () => {
		try {
			for await (const e of subscribe(app.url, 'events.watch', undefined, cookieOf(http), abort.signal)) {
				if (e.id === null) continue; // connection and ping frames
				events.push(e.data as ServerEvent);
			}
		} catch (error) {
			if (!abort.signal.aborted) failure = error;
		}
	})();
	await eventually(() => {
		if (failure) throw failure;
		return app.services.bus.listenerCount > listening;
	}, 5_000, 'events.watch to listen on the bus');
	return {
		events,
		syncs: () => events.filter((e) => e.type === 'sync'),
		async close() {
			abort.abort();
			await running;
			if (failure) throw failure;
		}
	};
}

export type ReplyEvent =
	| { type: 'snapshot'; text: string }
	| { type: 'delta'; text: string }
	| { type: 'model'; model: string }
	| { type: 'done' | 'failed' | 'cancelled'; reason?: string; costUsd?: number | null };

/**
 * generation.attach over SSE: every event until the terminal one. `onEvent` sees each as it
 * arrives (to act mid-stream); the stream is bounded by `timeoutMs`.
 */
export async function attach(app: TestApp, http: TrpcHttp, generationId: string, onEvent?: (event: ReplyEvent, all: ReplyEvent[]) => void | Promise<void>, timeoutMs = 20_000): Promise<ReplyEvent[]> {
	const events: ReplyEvent[] = [];
	const signal = AbortSignal.timeout(timeoutMs);
	for await (const e of subscribe(app.url, 'generation.attach', { generationId }, cookieOf(http), signal)) {
		if (e.id === null) continue;
		const event = e.data as ReplyEvent;
		events.push(event);
		await onEvent?.(event, events);
		if (['done', 'failed', 'cancelled'].includes(event.type)) return events;
	}
	throw new Error(`generation.attach ended without a terminal event: ${JSON.stringify(events)}`);
}

export const textOf = (events: ReplyEvent[]) => events.map((e) => (e.type === 'delta' || e.type === 'snapshot' ? e.text : '')).join('');

/** Records every request the server sends upstream (the orchestrator is the one way out). */
export function spyOnUpstream(app: TestApp) {
	const requests: OrchestratorRequest[] = [];
	const orchestrator = app.services.orchestrator;
	const original = orchestrator.stream;
	orchestrator.stream = function (request) {
		requests.push(request);
		return original.call(this, request);
	};
	return {
		requests,
		restore: () => {
			orchestrator.stream = original;
		}
	};
}
