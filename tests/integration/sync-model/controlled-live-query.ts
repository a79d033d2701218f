import type { Observable, Observer, Subscription } from 'dexie';

/**
 * A stand-in for Dexie's liveQuery, installed with vi.mock('dexie') by the model test.
 *
 * The SyncEngine watches its outbox with liveQuery and pushes when it grows. Dexie wakes a
 * liveQuery from a setTimeout(0) after each commit, so how its emissions interleave with the
 * engine's IndexedDB work depends on the wall clock. Here a watch emits only when the test says
 * (`emitChanges`), and only when its value changed (as Dexie's would after a write that changed
 * it): the engine sees the same emissions, at points the test chooses, and a seed replays the
 * same history. Each watch belongs to the device whose engine was started inside `owning()`.
 */

interface Watch {
	owner: string;
	querier: () => unknown;
	observer: Partial<Observer<unknown>>;
	closed: boolean;
	last: string | undefined;
}

const watches: Watch[] = [];
let currentOwner: string | null = null;

/** Runs `start` (which subscribes liveQueries synchronously) with its watches owned by `owner`. */
export function owning(owner: string, start: () => void): void {
	currentOwner = owner;
	try {
		start();
	} finally {
		currentOwner = null;
	}
}

export function controlledLiveQuery<T>(querier: () => T | Promise<T>): Observable<T> {
	const owner = currentOwner;
	if (owner === null) throw new Error('liveQuery outside owning(): the model test controls every watch');
	const observable = {
		subscribe(
			first?: ((value: T) => void) | Partial<Observer<T>> | null,
			error?: ((error: unknown) => void) | null,
			complete?: (() => void) | null
		): Subscription {
			const observer: Partial<Observer<T>> =
				typeof first === 'function' || first == null ? { next: first ?? undefined, error: error ?? undefined, complete: complete ?? undefined } : first;
			const watch: Watch = { owner, querier, observer: observer as Partial<Observer<unknown>>, closed: false, last: undefined };
			watches.push(watch);
			return {
				get closed() {
					return watch.closed;
				},
				unsubscribe() {
					watch.closed = true;
					watches.splice(watches.indexOf(watch), 1);
				}
			};
		}
	};
	// Only subscribe() is used by the engine; the interop symbol is left out.
	return observable as unknown as Observable<T>;
}

/** Re-runs `owner`'s watches and emits each value that changed since its last emission. */
export async function emitChanges(owner: string): Promise<void> {
	for (const watch of watches.filter((w) => w.owner === owner)) {
		let value: unknown;
		try {
			value = await watch.querier();
		} catch (error) {
			if (!watch.closed) watch.observer.error?.(error);
			continue;
		}
		const key = JSON.stringify(value);
		if (watch.closed || key === watch.last) continue;
		watch.last = key;
		watch.observer.next?.(value);
	}
}

/** Watches still subscribed (a leak check between histories). */
export function openWatches(): number {
	return watches.length;
}
