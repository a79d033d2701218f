import { availableParallelism } from 'node:os';

/**
 * scrypt runs on libuv's thread pool, which has four threads and serves file and DNS work too.
 * With every thread hashing, a 2-core machine has no CPU left for the event loop. So hashes run
 * one core short of the machine, the rest wait their turn, and past a short queue they are
 * refused at once instead of making everyone wait.
 */
export class HashSlots {
	#running = 0;
	/** Waiters in order; the first `#priorityWaiting` of them are priority work. */
	#waiting: Array<() => void> = [];
	#priorityWaiting = 0;

	constructor(
		private readonly maxConcurrent = Math.max(1, availableParallelism() - 1),
		private readonly maxQueued = 16
	) {}

	/**
	 * Runs `work` in a slot. Priority work (a sign-in from an address the user signed in from
	 * before) queues ahead of the rest and is never refused, so a flood of strangers cannot keep
	 * a regular user out. Throws PasswordHasherBusyError when the queue is full.
	 */
	async run<T>(work: () => Promise<T>, priority = false): Promise<T> {
		if (this.#running >= this.maxConcurrent) {
			if (priority) await new Promise<void>((resolve) => this.#waiting.splice(this.#priorityWaiting++, 0, resolve));
			else if (this.#waiting.length - this.#priorityWaiting >= this.maxQueued) throw new PasswordHasherBusyError();
			else await new Promise<void>((resolve) => this.#waiting.push(resolve));
		} else {
			this.#running++;
		}
		try {
			return await work();
		} finally {
			// The slot passes straight to the next waiter, so a newcomer cannot jump the queue.
			const next = this.#waiting.shift();
			if (next) {
				if (this.#priorityWaiting > 0) this.#priorityWaiting--;
				next();
			} else {
				this.#running--;
			}
		}
	}
}

export class PasswordHasherBusyError extends Error {
	override name = 'PasswordHasherBusyError';
	constructor() {
		super('The server is busy checking other sign-ins. Try again in a few seconds.');
	}
}
