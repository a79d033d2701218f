import { liveQuery } from 'dexie';

/**
 * A Dexie liveQuery as a rune: `current` follows the database, in this tab or any other. Call it
 * while a component initialises. `query` runs inside an effect: reactive state it reads before
 * returning its thunk (a selected id, a search term) re-subscribes when it changes.
 */
export function useLiveQuery<T>(query: () => (() => Promise<T>) | null, initial: T): { readonly current: T; readonly loaded: boolean } {
	let current = $state.raw(initial);
	let loaded = $state(false);
	$effect(() => {
		const run = query();
		if (!run) {
			current = initial;
			loaded = false;
			return;
		}
		const subscription = liveQuery(run).subscribe({
			next: (value) => {
				current = value;
				loaded = true;
			},
			error: (error: unknown) => console.error('liveQuery failed', error)
		});
		return () => subscription.unsubscribe();
	});
	return {
		get current() {
			return current;
		},
		get loaded() {
			return loaded;
		}
	};
}
