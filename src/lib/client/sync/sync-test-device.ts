// Test helper only: a simulated device (its own IndexedDB, connection, timers) against a MemorySyncServer.
import { openTestStore } from '../store/test-support';
import type { MemorySyncServer } from './memory-sync-server';
import { SyncEngine, type SyncEngineOptions } from './sync-engine';
import { ManualScheduler } from './test-scheduler';

export async function openDevice(server: MemorySyncServer, userId = 'ada', options: Partial<SyncEngineOptions> = {}) {
	const store = await openTestStore();
	const connection = server.connect(userId);
	const scheduler = new ManualScheduler();
	const online = new EventTarget();
	const engine = new SyncEngine({ store, server: connection, scheduler, random: () => 0.5, now: () => 42, onlineEvents: online, ...options });
	return { store, connection, scheduler, online, engine };
}

export type Device = Awaited<ReturnType<typeof openDevice>>;

const tick = () => new Promise((resolve) => setTimeout(resolve, 1));

/**
 * Waits until the engine has nothing left to do: no cycle running, and no state change for a few
 * milliseconds (the outbox watch is a liveQuery, which Dexie wakes a few macrotasks after a
 * commit). Bounded: gives up after about a second rather than hang a test.
 */
export async function quiet(engine: SyncEngine): Promise<void> {
	let changes = 0;
	const unsubscribe = engine.subscribe(() => changes++);
	try {
		for (let round = 0, still = 0, seen = changes; round < 500 && still < 5; round++) {
			await engine.settled();
			await tick();
			still = changes === seen ? still + 1 : 0;
			seen = changes;
		}
		await engine.settled();
	} finally {
		unsubscribe();
	}
}

/** Waits (about a second at most) until `condition` holds; fails the test otherwise. */
export async function until(condition: () => boolean | Promise<boolean>, what = 'the condition'): Promise<void> {
	for (let round = 0; round < 500; round++) {
		if (await condition()) return;
		await tick();
	}
	throw new Error(`Timed out waiting for ${what}`);
}

/** The device's synced tables, sorted, for comparison with the server's rows. */
export async function localRows({ store }: Device) {
	const byId = <T extends { id: string }>(rows: T[]) => rows.sort((a, b) => (a.id < b.id ? -1 : 1));
	return {
		conversations: byId(await store.db.conversations.toArray()),
		messages: byId(await store.db.messages.toArray()),
		generations: byId(await store.db.generations.toArray())
	};
}
