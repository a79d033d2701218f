/**
 * A one-producer, one-consumer queue: the producer pushes and finally ends or fails it;
 * the consumer iterates. Lets a callback-shaped job (inside a policy) feed a generator.
 * It is its own iterator, and `next()` is a plain method rather than an async generator: no
 * suspended frame is held per open stream while the consumer waits, and no hop per event.
 */
export class AsyncQueue<T> implements AsyncIterator<T, undefined> {
	#items: T[] = [];
	/** Where the consumer is in #items: taking with shift() would be O(n²) on long backlogs. */
	#at = 0;
	#done = false;
	#error: unknown = null;
	#failed = false;
	/** The consumer's pending next(), while the queue is empty. */
	#resolve: ((result: IteratorResult<T, undefined>) => void) | null = null;
	#reject: ((error: unknown) => void) | null = null;

	push(item: T): void {
		if (this.#done) return;
		this.#items.push(item);
		this.#settle();
	}

	end(): void {
		this.#done = true;
		this.#settle();
	}

	fail(error: unknown): void {
		if (this.#done) return;
		this.#failed = true;
		this.#error = error;
		this.#done = true;
		this.#settle();
	}

	[Symbol.asyncIterator](): this {
		return this;
	}

	/** Everything pushed before an end or a failure is delivered first. */
	next(): Promise<IteratorResult<T, undefined>> {
		if (this.#at < this.#items.length) return Promise.resolve(this.#take());
		if (this.#done) return this.#failed ? Promise.reject(this.#error) : Promise.resolve(DONE);
		return new Promise<IteratorResult<T, undefined>>((resolve, reject) => {
			this.#resolve = resolve;
			this.#reject = reject;
		});
	}

	#take(): IteratorResult<T, undefined> {
		const item = this.#items[this.#at++] as T;
		if (this.#at === this.#items.length) {
			this.#items = [];
			this.#at = 0;
		}
		return { value: item, done: false };
	}

	/** Answers a waiting next(), if any, with what is there now. */
	#settle(): void {
		const resolve = this.#resolve;
		const reject = this.#reject;
		if (!resolve || !reject) return;
		this.#resolve = this.#reject = null;
		if (this.#at < this.#items.length) resolve(this.#take());
		else if (this.#failed) reject(this.#error);
		else resolve(DONE);
	}
}

const DONE: IteratorReturnResult<undefined> = { value: undefined, done: true };
