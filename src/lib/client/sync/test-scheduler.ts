// Test helper only: timers that fire when the test says so, never on the wall clock.
import type { Scheduler } from './backoff';

export class ManualScheduler implements Scheduler {
	private readonly timers = new Map<number, { delay: number; run: () => void }>();
	private nextHandle = 1;

	setTimeout(run: () => void, ms: number): unknown {
		const handle = this.nextHandle++;
		this.timers.set(handle, { delay: ms, run });
		return handle;
	}

	clearTimeout(handle: unknown): void {
		this.timers.delete(handle as number);
	}

	/** The delays of the timers waiting, in the order they were set. */
	get delays(): number[] {
		return [...this.timers.values()].map((t) => t.delay);
	}

	/** Runs every timer waiting now (not the ones they set). Returns how many ran. */
	fireAll(): number {
		const due = [...this.timers.entries()];
		for (const [handle, timer] of due) {
			this.timers.delete(handle);
			timer.run();
		}
		return due.length;
	}
}
