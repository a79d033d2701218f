import { describe, expect, it } from 'vitest';
import { EventStream, type StreamEnd } from './event-stream';

async function drain<T>(stream: EventStream<T>): Promise<T[]> {
	const out: T[] = [];
	for await (const item of stream) out.push(item);
	return out;
}

/** Records what an observer hears, in order. */
function watch<T>(stream: EventStream<T>) {
	const heard: Array<T | StreamEnd> = [];
	stream.observe({ item: (item) => heard.push(item), end: (end) => heard.push(end) });
	return heard;
}

describe('EventStream', () => {
	it('starts its producer on the first read, not before', async () => {
		let started = 0;
		const stream: EventStream<number> = new EventStream(() => {
			started++;
			stream.push(1);
			stream.end();
		});
		expect(started).toBe(0);
		expect(await drain(stream)).toEqual([1]);
		expect(started).toBe(1);
	});

	it('delivers what was pushed before an end or a failure first, then the failure', async () => {
		const stream = new EventStream<number>();
		const heard = watch(stream);
		stream.push(1);
		stream.push(2);
		stream.fail(new Error('broke'));
		stream.push(3);
		stream.end();
		const out: number[] = [];
		await expect(
			(async () => {
				for await (const item of stream) out.push(item);
			})()
		).rejects.toThrow('broke');
		expect(out).toEqual([1, 2]);
		expect(heard).toEqual([1, 2, { how: 'failed', error: new Error('broke') }]);
	});

	it('answers a consumer that waits as soon as something is pushed', async () => {
		const stream = new EventStream<string>();
		const first = stream.next();
		stream.push('a');
		expect(await first).toEqual({ value: 'a', done: false });
		const end = stream.next();
		stream.end();
		expect(await end).toEqual({ value: undefined, done: true });
	});

	it('takes what is there without waiting, and nothing when it would have to wait', () => {
		const stream = new EventStream<number>();
		expect(stream.takeNow()).toBeUndefined();
		stream.push(1);
		stream.push(2);
		expect([stream.takeNow(), stream.takeNow(), stream.takeNow()]).toEqual([1, 2, undefined]);
	});

	it('holds everything, the end included, until its gate opens', async () => {
		const stream = new EventStream<number>();
		let open = () => {};
		stream.hold(new Promise<void>((resolve) => (open = resolve)));
		stream.push(1);
		stream.end();
		expect(stream.takeNow()).toBeUndefined();
		let done = false;
		const all = drain(stream).then((out) => {
			done = true;
			return out;
		});
		await new Promise((r) => setTimeout(r, 5));
		expect(done).toBe(false);
		open();
		expect(await all).toEqual([1]);
	});

	it('fails with the gate’s reason when it rejects, whatever the producer said before or after', async () => {
		const stream = new EventStream<number>();
		const heard = watch(stream);
		let refuse = (_: Error) => {};
		stream.hold(new Promise<void>((_, reject) => (refuse = reject)));
		stream.push(1);
		// The producer was stopped because of the gate's failure, and says so first.
		stream.fail(new Error('aborted'));
		refuse(new Error('reservation not saved'));
		await expect(drain(stream)).rejects.toThrow('reservation not saved');
		expect(heard).toEqual([{ how: 'failed', error: new Error('reservation not saved') }]);
	});

	it('maps the failure the consumer receives, not the one observers hear', async () => {
		const stream = new EventStream<number>().mapError((error) => new Error(`mapped: ${(error as Error).message}`));
		const heard = watch(stream);
		stream.fail(new Error('raw'));
		await expect(stream.next()).rejects.toThrow('mapped: raw');
		expect(heard).toEqual([{ how: 'failed', error: new Error('raw') }]);
	});

	it('tells observers once when the consumer stops early, and drops what comes after', async () => {
		const stream = new EventStream<number>();
		const heard = watch(stream);
		stream.push(1);
		stream.push(2);
		for await (const item of stream) {
			if (item === 1) break;
		}
		stream.push(3);
		stream.end();
		expect(heard).toEqual([1, { how: 'stopped' }]);
		expect(await stream.next()).toEqual({ value: undefined, done: true });
		expect(heard).toHaveLength(2);
	});
});
