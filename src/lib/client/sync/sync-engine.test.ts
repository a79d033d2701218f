import 'fake-indexeddb/auto';
import { liveQuery } from 'dexie';
import { IDBFactory, IDBKeyRange } from 'fake-indexeddb';
import { afterEach, describe, expect, it } from 'vitest';
import { PUSH_MAX_MUTATIONS, type PushRequest } from '../../domain/sync';
import { openUserStore } from '../store/db';
import { enqueue } from '../store/mutate';
import { readConversationList } from '../store/queries';
import { SyncNetworkError } from './errors';
import { MemorySyncServer } from './memory-sync-server';
import { localRows, openDevice, quiet, until, type Device } from './sync-test-device';

const MODEL = 'openai/gpt-4o-mini';
const devices: Device[] = [];
async function device(server: MemorySyncServer, userId = 'ada') {
	const d = await openDevice(server, userId);
	devices.push(d);
	return d;
}
afterEach(async () => {
	for (const d of devices.splice(0)) {
		await d.engine.stop();
		d.store.close();
	}
});

const createConversation = (d: Device, id: string) => enqueue(d.store, 'conversation.create', { id, model: MODEL, createdAt: 1 });
const pushes = (d: Device) => d.connection.calls.filter((c) => c.type === 'push').map((c) => (c.request as PushRequest).mutations.map((m) => m.id));

describe('SyncEngine', () => {
	it('pushes the outbox, pulls the result, and empties the outbox', async () => {
		const server = new MemorySyncServer(() => 7);
		const d = await device(server);
		await createConversation(d, 'c1');
		await enqueue(d.store, 'message.create', { id: 'm1', conversationId: 'c1', parentId: null, content: 'Hello there', createdAt: 2 });
		d.engine.start();
		await quiet(d.engine);
		expect(server.rows('ada').conversations[0]).toMatchObject({ title: 'Hello there', activeLeafId: 'm1' });
		expect(await localRows(d)).toEqual({ conversations: server.rows('ada').conversations, messages: server.rows('ada').messages, generations: [] });
		expect(await d.store.db.outbox.count()).toBe(0);
		expect(d.engine.state).toEqual({ status: 'idle', unsynced: 0, lastSyncAt: 42, lastError: null });
	});

	it('pushes in order in batches of at most PUSH_MAX_MUTATIONS, each id once', async () => {
		const server = new MemorySyncServer();
		const d = await device(server);
		await createConversation(d, 'c1');
		for (let i = 0; i < 249; i++) await enqueue(d.store, 'conversation.pin', { id: 'c1', pinned: i % 2 === 0 });
		d.engine.start();
		await quiet(d.engine);
		const batches = pushes(d);
		expect(batches.map((b) => b.length)).toEqual([PUSH_MAX_MUTATIONS, PUSH_MAX_MUTATIONS, 50]);
		expect(batches.flat()).toEqual(Array.from({ length: 250 }, (_, i) => i + 1));
		expect(server.lastMutationId(d.store.clientId)).toBe(250);
	});

	it('after a failure in a later batch, resends only what the server has not confirmed', async () => {
		const server = new MemorySyncServer();
		const d = await device(server);
		await createConversation(d, 'c1');
		for (let i = 0; i < 149; i++) await enqueue(d.store, 'conversation.pin', { id: 'c1', pinned: i % 2 === 0 });
		const push = d.connection.push.bind(d.connection);
		d.connection.push = async (request) => {
			const response = await push(request);
			if (request.mutations[0]?.id === 1) d.connection.failNext(1, new SyncNetworkError()); // the second batch fails
			return response;
		};
		d.engine.start();
		await quiet(d.engine);
		expect(d.engine.state.status).toBe('offline');
		d.scheduler.fireAll();
		await quiet(d.engine);
		expect(pushes(d).map((batch) => [batch[0], batch.at(-1)])).toEqual([
			[1, 100],
			[101, 150]
		]);
		expect(await d.store.db.outbox.count()).toBe(0);
	});

	it('pushes what is enqueued while it runs, by watching the outbox', async () => {
		const server = new MemorySyncServer();
		const d = await device(server);
		d.engine.start();
		await quiet(d.engine);
		await createConversation(d, 'c1'); // no nudge: the liveQuery on the outbox notices
		await until(() => server.rows('ada').conversations.length === 1, 'the push');
		await quiet(d.engine);
		expect(d.engine.state.unsynced).toBe(0);
	});

	it('pushes what another tab enqueues (same database, another connection)', async () => {
		const server = new MemorySyncServer();
		const indexedDB = new IDBFactory();
		const tab1 = await openUserStore('tabs', { indexedDB, IDBKeyRange });
		const tab2 = await openUserStore('tabs', { indexedDB, IDBKeyRange });
		const { engine } = await openDevice(server, 'ada', { store: tab1 });
		engine.start();
		await quiet(engine);
		await enqueue(tab2, 'conversation.create', { id: 'c1', model: MODEL, createdAt: 1 });
		await until(() => server.rows('ada').conversations.length === 1, 'the leader to push the other tab’s change');
		await quiet(engine);
		expect(await tab2.db.outbox.count()).toBe(0);
		await engine.stop();
		tab1.close();
		tab2.close();
	});

	it('two devices of one user converge', async () => {
		const server = new MemorySyncServer();
		const [laptop, phone] = [await device(server), await device(server)];
		await createConversation(laptop, 'c1');
		await enqueue(laptop.store, 'message.create', { id: 'm1', conversationId: 'c1', parentId: null, content: 'From the laptop', createdAt: 2 });
		laptop.engine.start();
		phone.engine.start();
		await quiet(laptop.engine);
		phone.engine.poke();
		await quiet(phone.engine);
		await enqueue(phone.store, 'conversation.rename', { id: 'c1', title: 'Renamed on the phone' });
		await enqueue(phone.store, 'message.create', { id: 'm2', conversationId: 'c1', parentId: 'm1', content: 'From the phone', createdAt: 3 });
		phone.engine.nudge(); // as the UI does after enqueue (the outbox watch would too, a little later)
		await quiet(phone.engine);
		laptop.engine.poke();
		await quiet(laptop.engine);
		const expected = { ...server.rows('ada'), rejections: undefined };
		delete expected.rejections;
		expect(await localRows(laptop)).toEqual(expected);
		expect(await localRows(phone)).toEqual(expected);
		expect(expected.conversations[0]).toMatchObject({ title: 'Renamed on the phone', activeLeafId: 'm2' });
	});

	it('goes offline, backs off with jitter, and syncs at once when the browser is online again', async () => {
		const server = new MemorySyncServer();
		const d = await device(server);
		d.connection.offline = true;
		await createConversation(d, 'c1');
		d.engine.start();
		await quiet(d.engine);
		expect(d.engine.state).toMatchObject({ status: 'offline', unsynced: 1, lastError: 'No connection to the server.' });
		expect(d.scheduler.delays).toEqual([250]); // random 0.5 × 500 ms
		d.scheduler.fireAll();
		await quiet(d.engine);
		expect(d.scheduler.delays).toEqual([500]); // the ceiling doubled
		d.connection.offline = false;
		d.online.dispatchEvent(new Event('online'));
		await quiet(d.engine);
		expect(d.engine.state).toMatchObject({ status: 'idle', unsynced: 0, lastError: null });
		expect(d.scheduler.delays).toEqual([]); // the pending retry was cancelled
		expect(server.rows('ada').conversations).toHaveLength(1);
	});

	it('a nudge waits out the backoff; a poke does not', async () => {
		const server = new MemorySyncServer();
		const d = await device(server);
		d.connection.failNext(1);
		d.engine.start();
		await quiet(d.engine);
		expect(d.engine.state).toMatchObject({ status: 'error', lastError: 'Internal server error' });
		await createConversation(d, 'c1');
		d.engine.nudge();
		await quiet(d.engine);
		expect(d.engine.state.status).toBe('error');
		expect(server.rows('ada').conversations).toEqual([]);
		d.engine.poke();
		await quiet(d.engine);
		expect(d.engine.state.status).toBe('idle');
		expect(server.rows('ada').conversations).toHaveLength(1);
	});

	it('a push applied by the server whose response was lost is not applied twice', async () => {
		const server = new MemorySyncServer();
		const d = await device(server);
		await createConversation(d, 'c1');
		await enqueue(d.store, 'message.create', { id: 'm1', conversationId: 'c1', parentId: null, content: 'Once', createdAt: 2 });
		d.connection.dropNextResponses(1);
		d.engine.start();
		await quiet(d.engine);
		expect(d.engine.state.status).toBe('offline');
		expect(server.lastMutationId(d.store.clientId)).toBe(2);
		d.scheduler.fireAll();
		await quiet(d.engine);
		expect(pushes(d)).toEqual([
			[1, 2],
			[1, 2]
		]); // resent, and skipped by the server as duplicates
		expect(server.rows('ada').messages).toHaveLength(1);
		expect(server.rows('ada').rejections).toEqual([]);
		expect(await d.store.db.outbox.count()).toBe(0);
	});

	it('a lost pull response loses nothing: the next pull starts from the stored cursor', async () => {
		const server = new MemorySyncServer();
		const d = await device(server);
		await createConversation(d, 'c1');
		d.engine.start();
		await quiet(d.engine);
		const other = server.connect('ada');
		await other.push({ clientId: 'other', mutations: [{ id: 1, name: 'conversation.rename', args: { id: 'c1', title: 'Elsewhere' } }] });
		d.connection.dropNextResponses(1);
		d.engine.poke();
		await quiet(d.engine);
		d.engine.poke();
		await quiet(d.engine);
		expect((await d.store.db.conversations.get('c1'))?.title).toBe('Elsewhere');
	});

	it('on 401 stops retrying and keeps the outbox until resume()', async () => {
		const server = new MemorySyncServer();
		const d = await device(server);
		d.connection.unauthorized = true;
		await createConversation(d, 'c1');
		d.engine.start();
		await quiet(d.engine);
		expect(d.engine.state).toMatchObject({ status: 'signed-out', unsynced: 1 });
		expect(d.scheduler.delays).toEqual([]);
		await enqueue(d.store, 'conversation.pin', { id: 'c1', pinned: true });
		d.engine.poke();
		d.online.dispatchEvent(new Event('online'));
		await quiet(d.engine);
		expect(d.engine.state).toMatchObject({ status: 'signed-out', unsynced: 2 });
		expect(d.connection.calls).toEqual([]);
		d.connection.unauthorized = false; // signed in again
		d.engine.resume();
		await quiet(d.engine);
		expect(d.engine.state).toMatchObject({ status: 'idle', unsynced: 0, lastError: null });
		expect(server.rows('ada').conversations[0]).toMatchObject({ pinned: true });
	});

	it('a rejected mutation leaves the view and its reason is stored', async () => {
		const server = new MemorySyncServer();
		const d = await device(server);
		await createConversation(d, 'c1');
		await enqueue(d.store, 'conversation.rename', { id: 'ghost', title: 'Nobody' });
		await enqueue(d.store, 'conversation.rename', { id: 'c1', title: 'Kept' });
		d.engine.start();
		await quiet(d.engine);
		const rejections = await d.store.db.rejections.toArray();
		expect(rejections).toEqual([
			{ clientId: d.store.clientId, mutationId: 2, name: 'conversation.rename', reason: 'That conversation does not exist, or was deleted.', createdAt: expect.any(Number), version: expect.any(Number) }
		]);
		expect(rejections[0]?.version).toBeGreaterThan(0); // the server's row replaced the one from the push response
		expect((await readConversationList(d.store.db)).map((c) => [c.id, c.title, c.pending])).toEqual([['c1', 'Kept', false]]);
	});

	it('a delete wins over an offline rename from another device', async () => {
		const server = new MemorySyncServer();
		const [laptop, phone] = [await device(server), await device(server)];
		await createConversation(laptop, 'c1');
		laptop.engine.start();
		phone.engine.start();
		await quiet(laptop.engine);
		phone.engine.poke();
		await quiet(phone.engine);
		phone.connection.offline = true;
		await enqueue(phone.store, 'conversation.rename', { id: 'c1', title: 'Offline rename' });
		await quiet(phone.engine);
		expect((await readConversationList(phone.store.db))[0]).toMatchObject({ title: 'Offline rename', pending: true });
		await enqueue(laptop.store, 'conversation.delete', { id: 'c1' });
		laptop.engine.nudge();
		await quiet(laptop.engine);
		phone.connection.offline = false;
		phone.online.dispatchEvent(new Event('online'));
		await quiet(phone.engine);
		expect(await readConversationList(phone.store.db)).toEqual([]);
		expect(await readConversationList(laptop.store.db)).toEqual([]);
		expect(server.rows('ada').rejections).toEqual([]); // acknowledged, not rejected: the tombstone simply wins
		expect(server.rows('ada').conversations[0]).toMatchObject({ deletedAt: expect.any(Number), title: '' });
	});

	it('a liveQuery sees what a pull brings', async () => {
		const server = new MemorySyncServer();
		const [writer, reader] = [await device(server), await device(server)];
		const titles: string[][] = [];
		const subscription = liveQuery(() => readConversationList(reader.store.db)).subscribe((list) => titles.push(list.map((c) => c.title)));
		await createConversation(writer, 'c1');
		await enqueue(writer.store, 'conversation.rename', { id: 'c1', title: 'Seen elsewhere' });
		writer.engine.start();
		await quiet(writer.engine);
		reader.engine.start();
		await quiet(reader.engine);
		await until(() => titles.at(-1)?.[0] === 'Seen elsewhere', 'the liveQuery to show the pulled title');
		subscription.unsubscribe();
		expect(titles[0]).toEqual([]);
	});

	it('runs one cycle at a time: no mutation is pushed twice concurrently', async () => {
		const server = new MemorySyncServer();
		const d = await device(server);
		let inFlight = 0;
		let most = 0;
		const counting = {
			push: async (request: PushRequest) => {
				most = Math.max(most, ++inFlight);
				try {
					return await d.connection.push(request);
				} finally {
					inFlight--;
				}
			},
			pull: d.connection.pull.bind(d.connection)
		};
		const { engine } = await openDevice(server, 'ada', { store: d.store, server: counting, scheduler: d.scheduler });
		await createConversation(d, 'c1');
		const release = d.connection.hold();
		engine.start();
		for (let i = 0; i < 10; i++) {
			engine.poke();
			engine.nudge();
			await enqueue(d.store, 'conversation.pin', { id: 'c1', pinned: i % 2 === 0 });
		}
		release();
		await quiet(engine);
		await engine.stop();
		expect(most).toBe(1);
		expect(pushes(d).flat()).toEqual(Array.from({ length: 11 }, (_, i) => i + 1));
	});

	it('reports a server that lost track of this device as an error instead of pushing forever', async () => {
		const server = new MemorySyncServer();
		const d = await device(server);
		await d.store.outboxDb.meta.put({ key: 'nextMutationId', value: 5 }); // ids 1–4 were confirmed by a server since restored
		await createConversation(d, 'c1');
		d.engine.start();
		await quiet(d.engine);
		expect(d.engine.state).toMatchObject({ status: 'error', lastError: expect.stringContaining('#0 but the next one here is #5') });
		expect(await d.store.db.outbox.count()).toBe(1);
	});

	it('stop() ends retries and watching', async () => {
		const server = new MemorySyncServer();
		const d = await device(server);
		d.connection.offline = true;
		d.engine.start();
		await quiet(d.engine);
		expect(d.scheduler.delays).toHaveLength(1);
		await d.engine.stop();
		expect(d.scheduler.delays).toEqual([]);
		d.connection.offline = false;
		await createConversation(d, 'c1');
		d.engine.poke();
		await quiet(d.engine);
		expect(d.connection.calls).toEqual([]);
	});

	it('stop() during a cycle finishes the request in flight and leaves the engine idle', async () => {
		const server = new MemorySyncServer();
		const d = await device(server);
		await createConversation(d, 'c1');
		const release = d.connection.hold();
		d.engine.start();
		await until(() => d.engine.state.status === 'syncing', 'the cycle to start');
		const stopped = d.engine.stop();
		release();
		await stopped;
		expect(d.engine.state.status).toBe('idle');
		expect(d.connection.calls.map((c) => c.type)).toEqual(['push']); // no pull after the stop
	});

	it('tells subscribers the state at once and on every change', async () => {
		const server = new MemorySyncServer();
		const d = await device(server);
		const seen: string[] = [];
		const unsubscribe = d.engine.subscribe((s) => seen.push(s.status));
		d.engine.start();
		await quiet(d.engine);
		unsubscribe();
		expect(seen[0]).toBe('idle');
		expect(seen).toContain('syncing');
		expect(seen.at(-1)).toBe('idle');
	});
});
