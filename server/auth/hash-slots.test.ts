import { describe, expect, it } from 'vitest';
import { HashSlots, PasswordHasherBusyError } from './hash-slots';

function gate() {
	let open!: () => void;
	const opened = new Promise<void>((resolve) => (open = resolve));
	return { open, opened };
}

describe('HashSlots', () => {
	it('runs at most maxConcurrent at once, refuses past the queue, and lets priority work go first', async () => {
		const slots = new HashSlots(1, 2);
		const order: string[] = [];
		const first = gate();
		const job = (name: string, wait?: Promise<void>) => async () => {
			order.push(`start ${name}`);
			await wait;
			return name;
		};
		const running = slots.run(job('a', first.opened));
		const queued = [slots.run(job('b')), slots.run(job('c'))];
		await expect(slots.run(job('d'))).rejects.toBeInstanceOf(PasswordHasherBusyError);
		// A full queue still takes priority work, ahead of the queued strangers.
		const priority = slots.run(job('p'), true);
		expect(order).toEqual(['start a']);
		first.open();
		expect(await Promise.all([running, priority, ...queued])).toEqual(['a', 'p', 'b', 'c']);
		expect(order).toEqual(['start a', 'start p', 'start b', 'start c']);
	});

	it('frees the slot when the work throws', async () => {
		const slots = new HashSlots(1, 0);
		await expect(slots.run(() => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
		expect(await slots.run(async () => 'next')).toBe('next');
	});
});
