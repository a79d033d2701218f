import { errorMessage } from '../client/trpc';

/** A form's submit: busy while it runs, the server's message when it fails. One per form. */
export class FormAction {
	busy = $state(false);
	error = $state<string | null>(null);

	async run(event: SubmitEvent, action: () => Promise<unknown>): Promise<void> {
		event.preventDefault();
		this.busy = true;
		this.error = null;
		try {
			await action();
		} catch (e) {
			this.error = errorMessage(e);
		} finally {
			this.busy = false;
		}
	}
}
