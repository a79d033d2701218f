import { focusComposer, newChat } from './navigation-actions';
import { dialogs } from './dialogs.svelte';
import { search } from './search.svelte';
import { mobileTabs } from './mobile-tabs.svelte';

function typing(target: EventTarget | null): boolean {
	const el = target as HTMLElement | null;
	return !!el && (el.isContentEditable || el.tagName === 'INPUT' || el.tagName === 'TEXTAREA' || el.tagName === 'SELECT');
}

/** The app's keyboard shortcuts (listed in the shortcuts sheet, "?"); returns a function that removes them. */
export function installShortcuts(): () => void {
	const onKeydown = (event: KeyboardEvent) => {
		const mod = event.metaKey || event.ctrlKey;
		const key = event.key.toLowerCase();
		if (mod && key === 'k') {
			event.preventDefault();
			if (dialogs.current === 'palette') dialogs.close();
			else dialogs.open('palette');
		} else if (mod && event.shiftKey && key === 'o') {
			event.preventDefault();
			void newChat();
		} else if (mod && key === ',') {
			event.preventDefault();
			dialogs.open('settings');
		} else if (event.shiftKey && event.key === 'Escape') {
			event.preventDefault();
			focusComposer();
		} else if (!mod && !event.altKey && !typing(event.target) && dialogs.current === null) {
			if (event.key === '?') {
				event.preventDefault();
				dialogs.open('shortcuts');
			} else if (event.key === '/') {
				event.preventDefault();
				mobileTabs.current = 'chats';
				requestAnimationFrame(() => search.focus());
			}
		}
	};
	window.addEventListener('keydown', onKeydown);
	return () => window.removeEventListener('keydown', onKeydown);
}

/** Shortcuts that are not commands, for the sheet. */
export const EXTRA_SHORTCUTS = [
	{ keys: 'Enter', label: 'Send the message' },
	{ keys: 'Shift+Enter', label: 'New line in the message' },
	{ keys: 'Esc', label: 'Stop the reply being written (in the message box); close a dialog' },
	{ keys: '↑ ↓ Enter', label: 'Move through and pick in the palette and the model list' }
];

