/**
 * The text of a reply followed through `generation.attach`. A subscription replays the reply from
 * its start (deltas, or a snapshot for a job the server no longer holds in memory), so a reply
 * followed again — after its subscription failed — must not add the replay to what it shows:
 * the replay builds its own text, and replaces the shown one once it has caught up with it.
 */
export class ReplayedText {
	#replayed = '';

	constructor(private shown = '') {}

	/** What to show after a piece of the reply. */
	delta(text: string): string {
		this.#replayed += text;
		return this.#visible();
	}

	/** What to show after the whole text so far. */
	snapshot(text: string): string {
		this.#replayed = text;
		return this.#visible();
	}

	#visible(): string {
		// Until then the replay is a prefix of what is shown: showing it would make the reply shrink.
		if (this.#replayed.length >= this.shown.length) this.shown = this.#replayed;
		return this.shown;
	}
}
