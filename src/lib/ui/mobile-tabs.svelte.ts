export const MOBILE_TABS = [
	{ id: 'chats', label: 'Chats' },
	{ id: 'chat', label: 'Chat' },
	{ id: 'model', label: 'Model' },
	{ id: 'usage', label: 'Cost' },
	{ id: 'log', label: 'Log' }
] as const;
export type MobileTab = (typeof MOBILE_TABS)[number]['id'];

/** On narrow screens the grid collapses to one panel at a time, picked by a tab bar. */
class MobileTabs {
	current = $state<MobileTab>('chat');
}

export const mobileTabs = new MobileTabs();
