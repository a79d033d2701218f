/** The layout's breakpoints as state (the CSS in Workspace.svelte uses the same widths). */
class Viewport {
	medium = $state(false);
	narrow = $state(false);

	constructor() {
		if (typeof window === 'undefined') return;
		const medium = window.matchMedia('(min-width: 760px) and (max-width: 1199px)');
		const narrow = window.matchMedia('(max-width: 759px)');
		const update = () => {
			this.medium = medium.matches;
			this.narrow = narrow.matches;
		};
		update();
		medium.addEventListener('change', update);
		narrow.addEventListener('change', update);
	}
}

export const viewport = new Viewport();
