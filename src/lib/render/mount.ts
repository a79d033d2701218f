import { patchOf, renderingOf, type StreamRenderer, type StreamUnit } from './stream';
import { applyPatch } from './text-patch';

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

interface Mounted {
	rendering: object;
	nodes: Node[];
}

/**
 * Mirrors a streaming renderer into a container incrementally: frozen units are inserted once
 * (and replaced only when their html changes), the open tail's blocks are replaced when they
 * change, or only patched where that is all that changed (text-patch.ts) — a block that froze
 * keeps its nodes. The nodes are DOMPurify's own sanitized nodes (no
 * serialize-and-parse step in between). Call `update` after `append`/`finish`/`refresh`, as often
 * as you like (e.g. once per animation frame). A different renderer passed to `update` resets the
 * container.
 */
export function createStreamView(container: Element): StreamView {
	let current: StreamRenderer | null = null;
	let cursor = 0;
	let units: Mounted[] = [];
	let tail: Mounted[] = [];

	const insert = (part: StreamUnit, before: Node | null): Mounted => {
		const content = part.content();
		const nodes = Array.from(content.childNodes);
		container.insertBefore(content, before);
		return { rendering: renderingOf(part), nodes };
	};
	const remove = (mounted: Mounted) => {
		for (const node of mounted.nodes) node.parentNode?.removeChild(node);
	};
	const firstNodeFrom = (list: Mounted[], from: number): Node | null => {
		for (let j = from; j < list.length; j++) {
			const first = list[j]!.nodes[0];
			if (first) return first;
		}
		return null;
	};

	return {
		container,
		update(renderer) {
			if (renderer !== current) {
				current = renderer;
				cursor = 0;
				units = [];
				tail = [];
				container.replaceChildren();
			}
			const changes = renderer.changes;
			if (cursor < changes.length) {
				const changed = [...new Set(changes.slice(cursor))].sort((a, b) => a - b);
				cursor = changes.length;
				for (const index of changed) {
					const unit = renderer.units[index]!;
					const rendering = renderingOf(unit);
					const old = units[index];
					if (old?.rendering === rendering) continue;
					if (!old && tail[0]?.rendering === rendering) {
						// The tail's first block froze: its nodes are already in place.
						units[index] = tail.shift()!;
						continue;
					}
					units[index] = insert(unit, old?.nodes[0] ?? firstNodeFrom(units, index + 1) ?? firstNodeFrom(tail, 0));
					if (old) remove(old);
				}
			}
			// The open tail: keep the blocks that are still the same, patch the ones that changed in
			// one place (the usual append), replace the rest.
			const parts = renderer.tail;
			const mounted: Mounted[] = [];
			let i = 0;
			for (; i < parts.length; i++) {
				const part = parts[i]!;
				const rendering = renderingOf(part);
				const m = tail[i];
				if (m?.rendering === rendering) {
					mounted.push(m);
					continue;
				}
				const patched = patchOf(part);
				if (m && patched?.base === m.rendering && applyPatch(m.nodes, patched.patch)) {
					m.rendering = rendering;
					mounted.push(m);
					continue;
				}
				break;
			}
			// A block rendered again usually shares most of its nodes with what is shown: morph the
			// shown nodes into the new ones rather than replace them all (less for the browser to redo).
			const stale = tail.slice(i);
			for (const part of parts.slice(i)) {
				const m = stale.shift();
				if (!m) {
					mounted.push(insert(part, null));
					continue;
				}
				const anchor = m.nodes[m.nodes.length - 1]?.nextSibling ?? null;
				mounted.push({ rendering: renderingOf(part), nodes: morph(container, m.nodes, part.content(), anchor) });
			}
			for (const m of stale) remove(m);
			tail = mounted;
		}
	};
}

/**
 * Turns `shown` (consecutive children of `parent`, followed by `anchor`) into the nodes of
 * `fresh` and returns the resulting nodes. Shown elements are kept only where the fresh one has
 * the same name, namespace and attributes (their children are morphed in turn) and shown text
 * only gets the fresh text as data; everything else is the fresh node itself. So the result is
 * exactly the fresh (sanitized) tree — only fewer nodes change.
 */
function morph(parent: Node, shown: Node[], fresh: DocumentFragment, anchor: Node | null): Node[] {
	const result: Node[] = [];
	let at = 0;
	for (let node = fresh.firstChild; node; ) {
		const next = node.nextSibling;
		const old = shown[at];
		if (old && sameShell(old, node)) {
			morphInto(old, node);
			result.push(old);
			at++;
		} else {
			parent.insertBefore(node, old ?? anchor);
			result.push(node);
		}
		node = next;
	}
	for (; at < shown.length; at++) shown[at]!.parentNode?.removeChild(shown[at]!);
	return result;
}

function morphInto(old: Node, fresh: Node): void {
	if (old.nodeType !== 1) {
		if ((old as CharacterData).data !== (fresh as CharacterData).data) (old as CharacterData).data = (fresh as CharacterData).data;
		return;
	}
	let target = old.firstChild;
	for (let node = fresh.firstChild; node; ) {
		const next = node.nextSibling;
		if (target && sameShell(target, node)) {
			morphInto(target, node);
			target = target.nextSibling;
		} else old.insertBefore(node, target);
		node = next;
	}
	while (target) {
		const next = target.nextSibling;
		old.removeChild(target);
		target = next;
	}
}

function sameShell(a: Node, b: Node): boolean {
	if (a.nodeType !== b.nodeType) return false;
	if (a.nodeType !== 1) return a.nodeType === 3;
	const x = a as Element;
	const y = b as Element;
	if (x.localName !== y.localName || x.namespaceURI !== y.namespaceURI || x.attributes.length !== y.attributes.length) return false;
	for (const attr of Array.from(y.attributes)) if (x.getAttributeNS(attr.namespaceURI, attr.localName) !== attr.value) return false;
	return true;
}
