import { goto } from '$app/navigation';
import { resolve } from '$app/paths';
import { mobileTabs } from './mobile-tabs.svelte';

const mac = () => typeof navigator !== 'undefined' && /Mac|iPhone|iPad/.test(navigator.platform);
export const mod = () => (mac() ? '⌘' : 'Ctrl');

export async function newChat(): Promise<void> {
	mobileTabs.current = 'chat';
	await goto(resolve('/'));
	focusComposer();
}

export function focusComposer(): void {
	mobileTabs.current = 'chat';
	requestAnimationFrame(() => document.getElementById('message')?.focus());
}

