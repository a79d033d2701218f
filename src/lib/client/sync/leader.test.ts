import { describe, expect, it, vi } from 'vitest';
import { startSync, syncLockName, type ChannelLike, type LockManagerLike } from './leader';
import type { SyncState } from './sync-engine';

/** Web Locks as the browser runs them: exclusive, queued, a waiting request can be aborted. */
class FakeLocks implements LockManagerLike {
	private readonly holders = new Set<string>();
	private readonly waiting = new Map<string, (() => void)[]>();

	async request(name: string, options: { signal?: AbortSignal }, callback: (lock: unknown) => Promise<void>): Promise<unknown> {
		if (this.holders.has(name)) {
			await new Promise<void>((resolve, reject) => {
				const queue = this.waiting.get(name) ?? [];
				queue.push(resolve);
				this.waiting.set(name, queue);
				options.signal?.addEventListener('abort', () => {
					queue.splice(queue.indexOf(resolve), 1);
					reject(new DOMException('The request was aborted.', 'AbortError'));
				});
			});
		}
		this.holders.add(name);
		try {
			return await callback({ name });
		} finally {
			this.holders.delete(name);
			this.waiting.get(name)?.shift()?.();
		}
	}
}

/** BroadcastChannel between tabs: delivered asynchronously, never to the sender. */
function channelHub() {
	const open: { name: string; listeners: ((event: MessageEvent) => void)[] }[] = [];
	return (name: string): ChannelLike => {
		const me = { name, listeners: [] as ((event: MessageEvent) => void)[] };
		open.push(me);
		return {
			postMessage: (data) => {
				for (const other of open) {
					if (other !== me && other.name === name) queueMicrotask(() => other.listeners.forEach((l) => l({ data } as MessageEvent)));
				}
			},
			addEventListener: (_type, listener) => me.listeners.push(listener),
			close: () => void open.splice(open.indexOf(me), 1)
		};
	};
}

function fakeEngine() {
	let listener: ((state: SyncState) => void) | null = null;
	const engine = {
		running: false,
		start: vi.fn(() => void (engine.running = true)),
		stop: vi.fn(async () => void (engine.running = false)),
		poke: vi.fn(),
		resume: vi.fn(),
		subscribe: (l: (state: SyncState) => void) => {
			listener = l;
			l({ status: 'idle', unsynced: 0, lastSyncAt: null, lastError: null });
			return () => (listener = null);
		},
		emit: (state: SyncState) => listener?.(state)
	};
	return engine;
}

const flush = () => new Promise((resolve) => setTimeout(resolve, 0));

describe('startSync', () => {
	it('runs the engine directly when the browser has no Web Locks', async () => {
		const engine = fakeEngine();
		const handle = startSync({ userId: 'ada', engine, locks: null, channel: null });
		expect(handle.isLeader).toBe(true);
		expect(engine.running).toBe(true);
		await handle.stop();
		expect(engine.running).toBe(false);
	});

	it('lets one tab lead; the others forward pokes and hear its state; the next takes over when it stops', async () => {
		const locks = new FakeLocks();
		const channel = channelHub();
		const [first, second] = [fakeEngine(), fakeEngine()];
		const leader = startSync({ userId: 'ada', engine: first, locks, channel });
		await flush();
		const follower = startSync({ userId: 'ada', engine: second, locks, channel });
		await flush();
		expect([leader.isLeader, follower.isLeader]).toEqual([true, false]);
		expect(second.start).not.toHaveBeenCalled();

		follower.poke();
		follower.resume();
		await flush();
		expect(first.poke).toHaveBeenCalledOnce();
		expect(first.resume).toHaveBeenCalledOnce();

		const offline: SyncState = { status: 'offline', unsynced: 3, lastSyncAt: 5, lastError: 'No connection to the server.' };
		first.emit(offline);
		await flush();
		expect(follower.state).toEqual(offline);

		await leader.stop();
		await flush();
		expect(first.running).toBe(false);
		expect(follower.isLeader).toBe(true);
		expect(second.running).toBe(true);
		await follower.stop();
	});

	it('a tab that opens later asks the leader for its state', async () => {
		const locks = new FakeLocks();
		const channel = channelHub();
		const first = fakeEngine();
		const leader = startSync({ userId: 'ada', engine: first, locks, channel });
		await flush();
		first.emit({ status: 'error', unsynced: 1, lastSyncAt: null, lastError: 'Internal server error' });
		const late = startSync({ userId: 'ada', engine: fakeEngine(), locks, channel });
		await flush();
		expect(late.state.status).toBe('error');
		await late.stop();
		await leader.stop();
	});

	it('stopping while waiting for the lock never starts the engine', async () => {
		const locks = new FakeLocks();
		const leader = startSync({ userId: 'ada', engine: fakeEngine(), locks, channel: null });
		const waiting = fakeEngine();
		const follower = startSync({ userId: 'ada', engine: waiting, locks, channel: null });
		await flush();
		await follower.stop();
		await leader.stop();
		await flush();
		expect(waiting.start).not.toHaveBeenCalled();
	});

	it('syncs on its own when the lock cannot be taken at all', async () => {
		const engine = fakeEngine();
		const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
		const broken: LockManagerLike = { request: () => Promise.reject(new DOMException('Denied', 'SecurityError')) };
		const handle = startSync({ userId: 'ada', engine, locks: broken, channel: null });
		await flush();
		expect(handle.isLeader).toBe(true);
		expect(engine.running).toBe(true);
		expect(warn).toHaveBeenCalled();
		await handle.stop();
		warn.mockRestore();
	});

	it('names the lock after the user', () => {
		expect(syncLockName('u1')).toBe('phosphor-sync-u1');
	});
});
