type RenderModule = typeof import('../render');

/**
 * The reply renderer (markdown-it + DOMPurify, ~50 kB gzip) is not part of the first paint: it
 * loads right after start-up, while the reader looks at the list, and replies show as plain text
 * for the few milliseconds before it arrives.
 */
class Renderer {
	module = $state.raw<RenderModule | null>(null);
	#loading: Promise<RenderModule> | null = null;

	load(): Promise<RenderModule> {
		this.#loading ??= Promise.all([import('../render'), import('../render/render.css')]).then(([module]) => {
			this.module = module;
			return module;
		});
		return this.#loading;
	}

	/** Warms the renderer when the browser is idle. */
	preload(): void {
		const start = () => void this.load();
		if ('requestIdleCallback' in window) requestIdleCallback(start, { timeout: 1500 });
		else setTimeout(start, 200);
	}
}

export const renderer = new Renderer();
