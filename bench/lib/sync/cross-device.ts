import { randomUUID } from 'node:crypto';
import { Agent, request, type Dispatcher } from 'undici';
import type { PullResponse, PushResponse } from '../../../src/lib/domain/sync';
import { text, prng } from './page/rows';
import { startSyncServer } from './server';

/**
 * Cross-device latency through the real server: device A pushes one mutation (POST
 * /trpc/sync.push); device B, holding an events.watch subscription (SSE), gets the `sync` poke,
 * pulls (GET /trpc/sync.pull) and finds the row. Timed from A sending the push to B holding the row.
 *
 * The floor, taken in the same run and alternating with it one iteration each: the same legs
 * against the same server's /healthz, which does nothing: A's POST (same body and cookie) and,
 * once answered, B's GET (same query string). Four one-way trips on loopback plus the client's
 * and Node's HTTP handling, as in the real path (push there, poke back, pull there and back).
 * The server's share is total − floor.
 */
export interface CrossDeviceSamples {
	/** Push sent → B has the row. */
	total: number[];
	/** Push sent → the poke reaches B. */
	poke: number[];
	/** Push sent → A has the push's answer. */
	pushAnswered: number[];
	/** The pull that found the row: sent → answered. */
	pull: number[];
	/** The floor: /healthz POST then GET, sent → second answered. */
	floor: number[];
	/** The floor's first leg alone (POST /healthz round trip). */
	floorFirst: number[];
}

type Wire = { result?: { data?: unknown }; error?: { message: string } };

export async function crossDevice(iterations: number, warmup: number): Promise<CrossDeviceSamples> {
	const server = await startSyncServer();
	// One connection pool per device and one for B's stream, as two browsers would have.
	const agents = { a: new Agent({ keepAliveTimeout: 60_000 }), b: new Agent({ keepAliveTimeout: 60_000 }), stream: new Agent({ keepAliveTimeout: 60_000 }) };
	const abort = new AbortController();
	let watching: Promise<void> | null = null;
	try {
		const login = await request(`${server.url}/trpc/auth.login`, {
			method: 'POST',
			dispatcher: agents.a,
			headers: { 'content-type': 'application/json' },
			body: JSON.stringify({ username: server.username, password: server.password })
		});
		await login.body.text();
		const setCookie = login.headers['set-cookie'];
		const cookie = (Array.isArray(setCookie) ? setCookie : [setCookie ?? '']).map((c) => c.split(';')[0]).join('; ');
		if (login.statusCode !== 200 || !cookie) throw new Error(`login answered ${login.statusCode}`);

		const call = async (dispatcher: Dispatcher, method: 'GET' | 'POST', path: string, body?: string): Promise<unknown> => {
			const res = await request(`${server.url}${path}`, {
				method,
				dispatcher,
				headers: { cookie, ...(body ? { 'content-type': 'application/json' } : {}) },
				...(body ? { body } : {})
			});
			const json = (await res.body.json()) as Wire;
			if (res.statusCode !== 200) throw new Error(`${method} ${path} answered ${res.statusCode}: ${json.error?.message ?? JSON.stringify(json)}`);
			return json.result?.data;
		};

		const clientA = randomUUID();
		const clientB = randomUUID();
		let nextMutation = 1;
		const pushBody = (name: string, args: unknown) => JSON.stringify({ clientId: clientA, mutations: [{ id: nextMutation++, name, args }] });
		const push = (body: string) => call(agents.a, 'POST', '/trpc/sync.push', body) as Promise<PushResponse>;
		const pullPath = (cursor: number) => `/trpc/sync.pull?input=${encodeURIComponent(JSON.stringify({ cursor, clientId: clientB }))}`;

		// Device B: the stream, and a pull on every poke (one at a time; a poke during a pull pulls again after it).
		let cursor = 0;
		let looking: { found: (page: PullResponse) => boolean; resolve: (at: number, pullMs: number) => void; poke: number } | null = null;
		let pulling = false;
		let again = false;
		let pokes = 0;
		let failure: unknown = null;
		const pullNow = async () => {
			if (pulling) {
				again = true;
				return;
			}
			pulling = true;
			try {
				do {
					again = false;
					for (;;) {
						const sent = performance.now();
						const page = (await call(agents.b, 'GET', pullPath(cursor))) as PullResponse;
						const at = performance.now();
						cursor = page.cursor;
						if (looking?.found(page)) {
							const done = looking;
							looking = null;
							done.resolve(at, at - sent);
						}
						if (!page.more) break;
					}
				} while (again);
			} catch (error) {
				failure = error;
			} finally {
				pulling = false;
			}
		};
		let onPoke: (at: number) => void = () => {};
		const stream = await request(`${server.url}/trpc/events.watch`, { method: 'GET', dispatcher: agents.stream, headers: { cookie, accept: 'text/event-stream' }, signal: abort.signal });
		if (stream.statusCode !== 200) throw new Error(`events.watch answered ${stream.statusCode}`);
		watching = (async () => {
			let buffer = '';
			try {
				for await (const chunk of stream.body) {
					buffer += (chunk as Buffer).toString('utf8');
					let end: number;
					while ((end = buffer.indexOf('\n\n')) !== -1) {
						const block = buffer.slice(0, end);
						buffer = buffer.slice(end + 2);
						const data = block.split('\n').find((line) => line.startsWith('data:'));
						if (data && data.includes('"type":"sync"')) onPoke(performance.now());
					}
				}
			} catch (error) {
				if (!abort.signal.aborted) failure = error;
			}
		})();
		onPoke = (at) => {
			pokes++;
			if (looking && looking.poke === 0) looking.poke = at;
			void pullNow();
		};

		// The conversation every iteration changes; its first poke also proves the stream is live.
		const conversationId = randomUUID();
		const waitFor = (found: (page: PullResponse) => boolean) =>
			new Promise<{ at: number; pullMs: number; poke: number }>((resolve, reject) => {
				const timer = setTimeout(() => reject(failure ?? new Error(`B did not get the change within 5 s (${pokes} pokes)`)), 5_000);
				const entry = {
					found,
					poke: 0,
					resolve: (at: number, pullMs: number) => {
						clearTimeout(timer);
						resolve({ at, pullMs, poke: entry.poke });
					}
				};
				looking = entry;
			});
		const created = waitFor((page) => page.conversations.some((c) => c.id === conversationId));
		await push(pushBody('conversation.create', { id: conversationId, model: 'sim/echo-mini', createdAt: Date.now() }));
		await created;

		const random = prng(7);
		let parentId: string | null = null;
		let iteration = 0;
		const real = async () => {
			let body: string;
			let found: (page: PullResponse) => boolean;
			// Alternately a message (400 characters) and a rename.
			if (iteration++ % 2 === 0) {
				const id = randomUUID();
				body = pushBody('message.create', { id, conversationId, parentId, content: text(random, 400), createdAt: Date.now() });
				parentId = id;
				found = (page) => page.messages.some((m) => m.id === id);
			} else {
				const title = `Title ${iteration} ${randomUUID().slice(0, 8)}`;
				body = pushBody('conversation.rename', { id: conversationId, title });
				found = (page) => page.conversations.some((c) => c.id === conversationId && c.title === title);
			}
			const seen = waitFor(found);
			const sent = performance.now();
			const pushed = push(body).then((r) => {
				if (r.rejected.length) throw new Error(`push rejected: ${r.rejected[0]?.reason}`);
				return performance.now();
			});
			const [got, answered] = await Promise.all([seen, pushed]);
			return { total: got.at - sent, poke: got.poke - sent, pushAnswered: answered - sent, pull: got.pullMs };
		};
		const floor = async () => {
			const body = pushBody('conversation.rename', { id: conversationId, title: 'x'.repeat(40) });
			nextMutation--; // /healthz never sees it: the id stays free
			const sent = performance.now();
			await call(agents.a, 'POST', '/healthz', body);
			const first = performance.now();
			await call(agents.b, 'GET', `/healthz${pullPath(cursor).slice('/trpc/sync.pull'.length)}`);
			return { floor: performance.now() - sent, floorFirst: first - sent };
		};

		const samples: CrossDeviceSamples = { total: [], poke: [], pushAnswered: [], pull: [], floor: [], floorFirst: [] };
		for (let i = 0; i < warmup + iterations; i++) {
			const r = await real();
			const f = await floor();
			if (i < warmup) continue;
			samples.total.push(r.total);
			samples.poke.push(r.poke);
			samples.pushAnswered.push(r.pushAnswered);
			samples.pull.push(r.pull);
			samples.floor.push(f.floor);
			samples.floorFirst.push(f.floorFirst);
		}
		if (failure) throw failure;
		return samples;
	} finally {
		abort.abort();
		await watching;
		await Promise.all([agents.a.close(), agents.b.close(), agents.stream.destroy()]);
		await server.stop();
	}
}
