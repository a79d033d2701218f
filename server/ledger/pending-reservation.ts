import { ReservationNotSavedError } from './ledger-errors';

/**
 * A reservation held in memory whose row is on its way to disk with the writer's next batch.
 * The upstream call starts at once, overlapping that commit and its fsync; its first token
 * waits for `durable` (on a real provider, first tokens take hundreds of ms, the commit ~1 ms).
 * Should the row not commit, `onFailure` runs (the caller aborts the upstream request) and the
 * call fails with `failure`, having spent nothing.
 */
export class PendingReservation {
	durable = false;
	failure: ReservationNotSavedError | null = null;

	constructor(
		readonly commit: Promise<void>,
		onFailure: (failure: ReservationNotSavedError) => void
	) {
		// Registered first, so every later waiter sees `durable` or `failure` already set.
		commit.then(
			() => {
				this.durable = true;
			},
			(error: unknown) => {
				this.failure = new ReservationNotSavedError(error);
				onFailure(this.failure);
			}
		);
	}

	/** Resolves once the row is durable; throws ReservationNotSavedError when it never will be. */
	whenDurable(): Promise<void> {
		// The handler set in the constructor runs first, so `failure` is set by the time this one runs.
		return this.commit.catch(() => {
			throw this.failure ?? new ReservationNotSavedError(undefined);
		});
	}
}
