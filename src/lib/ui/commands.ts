import { goto } from '$app/navigation';
import { focusComposer, mod, newChat } from './navigation-actions';
import { resolve } from '$app/paths';
import { page } from '$app/state';
import { dialogs } from './dialogs.svelte';
import { exportActions } from './export-actions';
import { mobileTabs } from './mobile-tabs.svelte';
import { search } from './search.svelte';
import { settings, THEMES } from './settings.svelte';

export interface Command {
	id: string;
	label: string;
	/** Shown in the palette and the shortcuts sheet, e.g. "Ctrl+Shift+O". */
	keys?: string;
	run(): void | Promise<void>;
}

/** Everything the palette offers; the keyboard shortcuts run the same commands. */
export function commands(): Command[] {
	const inConversation = !!page.params.id;
	return [
		{ id: 'new-chat', label: 'New chat', keys: `${mod()}+Shift+O`, run: newChat },
		{
			id: 'search',
			label: 'Search conversations',
			keys: '/',
			run: () => {
				mobileTabs.current = 'chats';
				requestAnimationFrame(() => search.focus());
			}
		},
		{ id: 'focus-message', label: 'Write a message', keys: 'Shift+Esc', run: focusComposer },
		{ id: 'usage', label: 'Open usage and spend', run: () => goto(resolve('/usage')) },
		{ id: 'settings', label: 'Settings', keys: `${mod()}+,`, run: () => dialogs.open('settings') },
		{ id: 'shortcuts', label: 'Keyboard shortcuts', keys: '?', run: () => dialogs.open('shortcuts') },
		...THEMES.map((theme) => ({ id: `theme-${theme.id}`, label: `Theme: ${theme.label}`, run: () => settings.set({ theme: theme.id }) })),
		...(inConversation ? [{ id: 'export-markdown', label: 'Export this conversation as Markdown', run: exportActions.conversationMarkdown }] : []),
		{ id: 'export-json', label: 'Export everything as JSON', run: exportActions.allJson },
		{ id: 'import', label: 'Import conversations (Phosphor JSON or ChatGPT export)', run: () => dialogs.open('import') }
	];
}
