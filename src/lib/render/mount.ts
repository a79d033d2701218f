import type { StreamRenderer } from './stream';

/**
 * The only way rendered HTML enters the DOM. The sanitized string is parsed by a detached <div>
 * of the container's document — the same "in body" context DOMPurify sanitized it in, so nothing
 * is re-interpreted differently (no mutation-XSS gap between sanitizing and inserting); innerHTML
 * never runs scripts. The container should be a plain flow element (div, article, section) that
 * this module owns: put no other children in it (copy buttons go in an overlay beside it).
 */
function parseNodes(container: Element, html: string): Node[] {
	if (!html) return [];
	const holder = container.ownerDocument.createElement('div');
	holder.innerHTML = html;
	return Array.from(holder.childNodes);
}

/** Replaces the container's content with a one-shot render (`renderMarkdown(text).html`). */
export function mountRendered(container: Element, html: string): void {
	container.replaceChildren(...parseNodes(container, html));
}

export interface StreamView {
	/** Brings the container up to date with the renderer: new or changed units and the open tail only. */
	update(renderer: StreamRenderer): void;
	readonly container: Element;
}

/**
 * Mirrors a streaming renderer into a container incrementally: frozen units are inserted once
 * (and replaced only when their html changes), the open tail's nodes are replaced per update. Call
 * `update` after `append`/`finish`/`refresh`, as often as you like (e.g. once per animation frame).
 * A different renderer passed to `update` resets the container.
 */
export function createStreamView(container: Element): StreamView {
	let current: StreamRenderer | null = null;
	let cursor = 0;
	let unitNodes: Node[][] = [];
	let tailNodes: Node[] = [];
	let tailHtml = '';

	const anchorAfter = (index: number): Node | null => {
		for (let j = index + 1; j < unitNodes.length; j++) {
			const first = unitNodes[j]?.[0];
			if (first) return first;
		}
		return tailNodes[0] ?? null;
	};

	return {
		container,
		update(renderer) {
			if (renderer !== current) {
				current = renderer;
				cursor = 0;
				unitNodes = [];
				tailNodes = [];
				tailHtml = '';
				container.replaceChildren();
			}
			const changes = renderer.changes;
			if (cursor < changes.length) {
				const changed = [...new Set(changes.slice(cursor))].sort((a, b) => a - b);
				cursor = changes.length;
				for (const index of changed) {
					const nodes = parseNodes(container, renderer.units[index]!.html);
					const old = unitNodes[index] ?? [];
					const anchor = old[0] ?? anchorAfter(index);
					for (const node of nodes) container.insertBefore(node, anchor);
					for (const node of old) node.parentNode?.removeChild(node);
					unitNodes[index] = nodes;
				}
			}
			if (renderer.tailHtml !== tailHtml) {
				for (const node of tailNodes) node.parentNode?.removeChild(node);
				tailHtml = renderer.tailHtml;
				tailNodes = parseNodes(container, tailHtml);
				container.append(...tailNodes);
			}
		}
	};
}
