/**
 * A one-producer, one-consumer queue: the producer pushes and finally ends or fails it;
 * the consumer iterates. Lets a callback-shaped job (inside a policy) feed a generator.
 */
export class AsyncQueue<T> {
	#items: T[] = [];
	#done = false;
	#error: unknown = null;
	#failed = false;
	#wake: (() => void) | null = null;

	push(item: T): void {
		if (this.#done) return;
		this.#items.push(item);
		this.#notify();
	}

	end(): void {
		this.#done = true;
		this.#notify();
	}

	fail(error: unknown): void {
		if (this.#done) return;
		this.#failed = true;
		this.#error = error;
		this.#done = true;
		this.#notify();
	}

	async *[Symbol.asyncIterator](): AsyncGenerator<T> {
		for (;;) {
			if (this.#items.length > 0) {
				// Hand over everything buffered at once; shift() per item would be O(n²) on long backlogs.
				const batch = this.#items;
				this.#items = [];
				for (const item of batch) yield item;
				continue;
			}
			if (this.#done) {
				if (this.#failed) throw this.#error;
				return;
			}
			await new Promise<void>((resolve) => (this.#wake = resolve));
		}
	}

	#notify(): void {
		const wake = this.#wake;
		this.#wake = null;
		wake?.();
	}
}
