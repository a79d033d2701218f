export const THEMES = [
	{ id: 'phosphor', label: 'Phosphor green' },
	{ id: 'amber', label: 'Amber' },
	{ id: 'paper', label: 'Paper' }
] as const;
export type ThemeId = (typeof THEMES)[number]['id'];
export const FONT_SIZES = [13, 14, 15, 16, 17, 18, 20] as const;

const KEY = 'phosphor.settings';

interface Stored {
	theme: ThemeId;
	fontSize: number;
	reducedMotion: boolean;
}

const DEFAULTS: Stored = { theme: 'phosphor', fontSize: 15, reducedMotion: false };

/**
 * This device's display settings (not synced: a phone and a desktop want different sizes).
 * Applied as attributes on <html>; app.html applies the stored ones before the first paint.
 */
class Settings {
	theme = $state<ThemeId>(DEFAULTS.theme);
	fontSize = $state(DEFAULTS.fontSize);
	reducedMotion = $state(DEFAULTS.reducedMotion);

	load(): void {
		const stored = read();
		this.theme = stored.theme;
		this.fontSize = stored.fontSize;
		this.reducedMotion = stored.reducedMotion;
		this.apply();
	}

	set(patch: Partial<Stored>): void {
		if (patch.theme !== undefined) this.theme = patch.theme;
		if (patch.fontSize !== undefined) this.fontSize = patch.fontSize;
		if (patch.reducedMotion !== undefined) this.reducedMotion = patch.reducedMotion;
		try {
			localStorage.setItem(KEY, JSON.stringify({ theme: this.theme, fontSize: this.fontSize, reducedMotion: this.reducedMotion }));
		} catch {
			// Not stored: the setting still applies to this page.
		}
		this.apply();
	}

	cycleTheme(): void {
		const index = THEMES.findIndex((t) => t.id === this.theme);
		this.set({ theme: THEMES[(index + 1) % THEMES.length]?.id ?? 'phosphor' });
	}

	apply(): void {
		const root = document.documentElement;
		root.dataset.theme = this.theme;
		root.style.setProperty('--font-size', `${this.fontSize}px`);
		if (this.reducedMotion) root.dataset.motion = 'reduced';
		else delete root.dataset.motion;
		const meta = document.querySelector('meta[name="theme-color"]');
		meta?.setAttribute('content', getComputedStyle(root).getPropertyValue('--bg').trim() || '#050806');
	}
}

function read(): Stored {
	try {
		const raw = JSON.parse(localStorage.getItem(KEY) ?? '{}') as Partial<Stored>;
		return {
			theme: THEMES.some((t) => t.id === raw.theme) ? (raw.theme as ThemeId) : DEFAULTS.theme,
			fontSize: FONT_SIZES.includes(raw.fontSize as (typeof FONT_SIZES)[number]) ? (raw.fontSize as number) : DEFAULTS.fontSize,
			reducedMotion: raw.reducedMotion === true
		};
	} catch {
		return DEFAULTS;
	}
}

export const settings = new Settings();
