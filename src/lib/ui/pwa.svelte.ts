import type { Workbox } from 'workbox-window';

/** Chromium's install prompt event (not in TypeScript's DOM library). */
interface BeforeInstallPromptEvent extends Event {
	prompt(): Promise<void>;
	userChoice: Promise<{ outcome: 'accepted' | 'dismissed' }>;
}

const UPDATE_CHECK_MS = 60 * 60 * 1000;

/**
 * The app as an installed, offline-capable PWA: registers the service worker (workbox-window),
 * offers a waiting update ("Update available" → "Reload"), and the browser's install prompt — or,
 * on iOS Safari, which has none, the Share → Add to Home Screen steps.
 */
class Pwa {
	/** A new version is installed and waits for a reload. */
	updateAvailable = $state(false);
	/** Reload asked for while a reply was being written: it happens when the reply ends. */
	reloadPending = $state(false);
	installable = $state(false);
	/** iOS Safari, not yet added to the home screen: show the steps instead of a prompt. */
	iosInstructions = $state(false);
	installed = $state(false);
	#workbox: Workbox | null = null;
	#prompt: BeforeInstallPromptEvent | null = null;
	#reloadRequested = false;

	constructor() {
		if (typeof window === 'undefined') return;
		// The browser offers the prompt early, often before the app has mounted: listen from the start.
		window.addEventListener('beforeinstallprompt', (event) => {
			event.preventDefault();
			this.#prompt = event as BeforeInstallPromptEvent;
			this.installable = true;
		});
		window.addEventListener('appinstalled', () => {
			this.installed = true;
			this.installable = false;
			this.#prompt = null;
		});
		const standalone = window.matchMedia('(display-mode: standalone)').matches || (navigator as { standalone?: boolean }).standalone === true;
		this.installed = standalone;
		const ios = /iPad|iPhone|iPod/.test(navigator.userAgent) || (navigator.platform === 'MacIntel' && navigator.maxTouchPoints > 1);
		this.iosInstructions = ios && !standalone;
	}

	async register(): Promise<void> {
		if (!('serviceWorker' in navigator) || import.meta.env.DEV || this.#workbox) return;
		const { Workbox } = await import('workbox-window');
		const workbox = new Workbox('/sw.js', { scope: '/' });
		this.#workbox = workbox;
		workbox.addEventListener('waiting', () => (this.updateAvailable = true));
		// Only after the person chose to reload: the new worker took over, so the page follows it.
		// (Not `event.isUpdate`: it is false for the whole life of a page first opened uncontrolled,
		// so an update found during that first visit would never reload.)
		workbox.addEventListener('controlling', () => {
			if (this.#reloadRequested) location.reload();
		});
		await workbox.register();
		// A long-open tab still learns of new versions.
		setInterval(() => void workbox.update(), UPDATE_CHECK_MS);
		document.addEventListener('visibilitychange', () => {
			if (document.visibilityState === 'visible') void workbox.update();
		});
	}

	/** Activates the waiting version; the page reloads once it controls it. The draft is kept (it is stored as typed). */
	reload(busy: boolean): void {
		if (busy) {
			this.reloadPending = true;
			return;
		}
		this.reloadPending = false;
		this.#reloadRequested = true;
		if (this.#workbox) this.#workbox.messageSkipWaiting();
		else location.reload();
	}

	async install(): Promise<void> {
		const prompt = this.#prompt;
		if (!prompt) return;
		await prompt.prompt();
		const { outcome } = await prompt.userChoice;
		if (outcome === 'accepted') this.installable = false;
		this.#prompt = null;
	}
}

export const pwa = new Pwa();
