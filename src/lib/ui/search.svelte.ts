/** The conversation search box's text: shared so the palette and shortcuts can start a search. */
class Search {
	term = $state('');

	focus(): void {
		document.getElementById('search')?.focus();
	}
}

export const search = new Search();
