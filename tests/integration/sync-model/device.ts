import { IDBFactory, IDBKeyRange } from 'fake-indexeddb';
import { MUTATION_ARGS, type Mutation, type MutationInput, type MutationName } from '../../../src/lib/domain/sync';
import { openUserStore, readMeta, type UserStore } from '../../../src/lib/client/store/db';
import { enqueue } from '../../../src/lib/client/store/mutate';
import { SyncEngine } from '../../../src/lib/client/sync/sync-engine';
import { ManualScheduler } from '../../../src/lib/client/sync/test-scheduler';
import { emitChanges, owning } from './controlled-live-query';
import { FaultyLink, type Fault } from './faulty-link';
import type { ModelServer } from './model-server';

/** How many steps an engine may take to go idle before the test calls it stuck. */
const SETTLE_ROUNDS = 100;
const DRAIN_CALLS = 200;

/**
 * A simulated device of one user: its own fake IndexedDB (its own IDBFactory, its own database
 * name), a real SyncEngine with a manual scheduler and a fixed jitter, talking to the real server
 * through a FaultyLink. `enqueued` is the model's record of every mutation it queued, in order.
 */
export class Device {
	/** What this device queued, as queued (arguments parsed): index i holds mutation id i + 1. */
	readonly enqueued: Mutation[] = [];
	/**
	 * Mutation ids queued to reach into another user's rows: the server must reject every one.
	 * The value, when not null, is the other user's conversation whose delete frees the id taken
	 * (messages are removed with their conversation, so their ids can be used again).
	 */
	readonly intrusions = new Map<number, string | null>();

	private constructor(
		readonly name: string,
		readonly userId: string,
		readonly store: UserStore,
		readonly link: FaultyLink,
		readonly scheduler: ManualScheduler,
		readonly engine: SyncEngine,
		/** Where the engine hears `online` (a healed partition). */
		readonly onlineEvents: EventTarget,
		private readonly clock: () => number
	) {}

	/** Opens the device's store and starts its engine (whose first call then waits in the link). */
	static async open(server: ModelServer, userId: string, name: string, clock: () => number): Promise<Device> {
		// The store's name is the device's, not the user's: Dexie signals changes by database name.
		const store = await openUserStore(name, { indexedDB: new IDBFactory(), IDBKeyRange });
		const link = new FaultyLink(server, userId);
		const scheduler = new ManualScheduler();
		const onlineEvents = new EventTarget();
		const engine = new SyncEngine({ store, server: link, scheduler, random: () => 0.5, now: clock, onlineEvents });
		const device = new Device(name, userId, store, link, scheduler, engine, onlineEvents, clock);
		owning(name, () => engine.start());
		await device.settle();
		return device;
	}

	get clientId(): string {
		return this.store.clientId;
	}

	/** Queues a mutation as the UI does, checks it took the next id, and records it. */
	async enqueue<N extends MutationName>(name: N, args: MutationInput<N>, intrusion?: { freedBy: string | null }): Promise<number> {
		const id = await enqueue(this.store, name, args, this.clock());
		if (id !== this.enqueued.length + 1) throw new Error(`${this.name}: enqueue returned mutation id ${id}, expected ${this.enqueued.length + 1}`);
		this.enqueued.push({ id, name, args: MUTATION_ARGS[name].parse(args) } as Mutation);
		if (intrusion) this.intrusions.set(id, intrusion.freedBy);
		return id;
	}

	async cursor(): Promise<number> {
		return (await readMeta(this.store.db, 'cursor')) ?? 0;
	}

	/**
	 * Runs the device until it is blocked on a call in the link or idle, with its outbox watch
	 * emitting whenever the outbox changed: deterministic, and no timer is waited on.
	 */
	async settle(): Promise<void> {
		for (let round = 0; round < SETTLE_ROUNDS; round++) {
			await this.blockedOrIdle();
			const calls = this.link.calls;
			await emitChanges(this.name);
			await this.blockedOrIdle();
			if (this.link.calls === calls) return;
		}
		throw new Error(`${this.name}: the engine kept calling without settling`);
	}

	/** Until the engine waits on a call in the link, or has no cycle running. */
	private blockedOrIdle(): Promise<void> {
		return Promise.race([this.link.waitForCall(), this.engine.settled()]);
	}

	async deliver(fault: Fault, answer: 0 | 1 = 0): Promise<void> {
		if (await this.link.deliver(fault, answer)) await this.settle();
	}

	/** The device's retry timers fire (its backoff elapsed). */
	async fireTimers(): Promise<void> {
		this.scheduler.fireAll();
		await this.settle();
	}

	async poke(): Promise<void> {
		this.engine.poke();
		await this.settle();
	}

	/** Delivers every call the engine makes, without faults, until it stops calling. */
	async syncFully(): Promise<void> {
		for (let i = 0; i < DRAIN_CALLS && this.link.pending; i++) await this.deliver('ok');
		if (this.link.pending) throw new Error(`${this.name}: still calling after ${DRAIN_CALLS} delivered calls`);
	}

	/** Back online and signed in, retries due, and everything delivered: the device is idle afterwards. */
	async drain(): Promise<void> {
		this.link.partitioned = false;
		if (this.link.signedOut) {
			this.link.signedOut = false;
			this.engine.resume();
		}
		this.scheduler.fireAll();
		this.engine.poke();
		await this.settle();
		await this.syncFully();
		if (this.scheduler.delays.length > 0) throw new Error(`${this.name}: a retry is still scheduled after a clean sync (${this.engine.state.lastError})`);
	}

	async close(): Promise<void> {
		this.link.close();
		await this.engine.stop();
		this.store.close();
	}
}
