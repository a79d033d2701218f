/** How a stream ended, as its consumer met it: its end, a failure, or it stopped reading first. */
export type StreamEnd = { how: 'done' } | { how: 'failed'; error: unknown } | { how: 'stopped' };

/** Looks at a stream from outside (metering, a call's end state) without a layer of its own. */
export interface StreamObserver<T> {
	/** Each item, as the consumer takes it. */
	item?(item: T): void;
	/** Once, before the consumer hears of the end or the failure, or as it stops reading. */
	end?(end: StreamEnd): void;
}

/**
 * One producer, one consumer: the producer pushes and finally ends or fails it; the consumer
 * iterates, or takes what is there with `takeNow()`. What wraps a stream (metering, a call's end
 * state, error mapping) attaches to it here instead of wrapping it in a generator of its own:
 * a generator layer costs a promise and a suspension per chunk, which measured as more than
 * parsing the chunk (`npx tsx bench/profile/cpu-split.ts`). Items reach observers and consumer
 * in one synchronous step; `next()` is a plain method, so no suspended frame is held per open
 * stream while the consumer waits.
 *
 * The producer starts on the first read, as a generator's body would.
 */
export class EventStream<T> implements AsyncIterableIterator<T, undefined> {
	#items: T[] = [];
	/** Where the consumer is in #items: taking with shift() would be O(n²) on long backlogs. */
	#at = 0;
	#done = false;
	#error: unknown = null;
	#failed = false;
	/** Told the consumer (and the observers) how it ended: nothing more is delivered. */
	#over = false;
	#start: (() => void) | null;
	/** While pending, the consumer waits. */
	#gate: Promise<unknown> | null = null;
	#gateFailed = false;
	#gateError: unknown = null;
	readonly #observers: Array<StreamObserver<T>> = [];
	#mapError: ((error: unknown) => unknown) | null = null;
	/** The consumer's pending next(), while there is nothing to give it. */
	#resolve: ((result: IteratorResult<T, undefined>) => void) | null = null;
	#reject: ((error: unknown) => void) | null = null;

	constructor(start?: () => void) {
		this.#start = start ?? null;
	}

	push(item: T): void {
		if (this.#done) return;
		this.#items.push(item);
		this.#settle();
	}

	end(): void {
		this.#done = true;
		this.#settle();
	}

	/** The first failure stands; anything after an end or a failure is ignored. */
	fail(error: unknown): void {
		if (this.#done) return;
		this.#failed = true;
		this.#error = error;
		this.#done = true;
		this.#settle();
	}

	observe(observer: StreamObserver<T>): this {
		this.#observers.push(observer);
		return this;
	}

	/**
	 * Nothing reaches the consumer (items, end or failure) until `until` resolves. Should it
	 * reject, the stream fails with that reason, whatever the producer said before or after: it is
	 * usually why the producer was stopped.
	 */
	hold(until: Promise<unknown>): this {
		const gate = until.then(
			() => {
				if (this.#gate === gate) this.#gate = null;
				this.#settle();
			},
			(error: unknown) => {
				this.#gateFailed = true;
				this.#gateError = error;
				if (this.#gate === gate) this.#gate = null;
				this.#settle();
			}
		);
		this.#gate = gate;
		return this;
	}

	/** What the consumer receives instead of a failure (observers see the failure itself). */
	mapError(map: (error: unknown) => unknown): this {
		const before = this.#mapError;
		this.#mapError = before ? (error) => map(before(error)) : map;
		return this;
	}

	[Symbol.asyncIterator](): this {
		return this;
	}

	/** The next item if one can be had without waiting, else undefined (then `next()` waits for it). */
	takeNow(): T | undefined {
		this.#begin();
		if (this.#over || this.#gate || this.#gateFailed || this.#at === this.#items.length) return undefined;
		return this.#take();
	}

	next(): Promise<IteratorResult<T, undefined>> {
		this.#begin();
		const now = this.#answer();
		if (now === WAIT) {
			return new Promise<IteratorResult<T, undefined>>((resolve, reject) => {
				this.#resolve = resolve;
				this.#reject = reject;
			});
		}
		return now instanceof Failure ? Promise.reject(now.error) : Promise.resolve(now);
	}

	/** The consumer stops reading: observers hear it, and later items are dropped. */
	return(): Promise<IteratorResult<T, undefined>> {
		this.#finish({ how: 'stopped' });
		this.#done = true;
		this.#items = [];
		return Promise.resolve(DONE);
	}

	#begin(): void {
		const start = this.#start;
		if (!start) return;
		this.#start = null;
		start();
	}

	/** What next() can answer at once, or WAIT. */
	#answer(): IteratorResult<T, undefined> | Failure | typeof WAIT {
		if (this.#over) return DONE;
		if (this.#gate) return WAIT;
		if (this.#gateFailed) return this.#failWith(this.#gateError);
		if (this.#at < this.#items.length) return { value: this.#take(), done: false };
		if (!this.#done) return WAIT;
		if (this.#failed) return this.#failWith(this.#error);
		this.#finish({ how: 'done' });
		return DONE;
	}

	#failWith(error: unknown): Failure {
		this.#finish({ how: 'failed', error });
		return new Failure(this.#mapError ? this.#mapError(error) : error);
	}

	#take(): T {
		const item = this.#items[this.#at++] as T;
		if (this.#at === this.#items.length) {
			this.#items = [];
			this.#at = 0;
		}
		for (const observer of this.#observers) observer.item?.(item);
		return item;
	}

	#finish(end: StreamEnd): void {
		if (this.#over) return;
		this.#over = true;
		for (const observer of this.#observers) observer.end?.(end);
	}

	/** Answers a waiting next(), if it can be answered now. */
	#settle(): void {
		const resolve = this.#resolve;
		const reject = this.#reject;
		if (!resolve || !reject) return;
		const now = this.#answer();
		if (now === WAIT) return;
		this.#resolve = this.#reject = null;
		if (now instanceof Failure) reject(now.error);
		else resolve(now);
	}
}

class Failure {
	constructor(readonly error: unknown) {}
}

const WAIT = Symbol('wait');
const DONE: IteratorReturnResult<undefined> = { value: undefined, done: true };
