export type DialogId = 'palette' | 'settings' | 'shortcuts' | 'import' | 'install' | null;

/** Which app-level dialog is open (one at a time): the command palette, settings, shortcuts, import. */
class Dialogs {
	current = $state<DialogId>(null);

	open(id: Exclude<DialogId, null>): void {
		this.current = id;
	}

	close(): void {
		this.current = null;
	}
}

export const dialogs = new Dialogs();
