import type { Env, Token } from 'markdown-it';
import { isSettled, settledDependencies, whenSettled } from './lazy';
import { createEnv, md, type RenderContext } from './markdown';
import { normalizeSource } from './render';
import { sanitizeToFragment, serializeFragment } from './sanitize';
import { applyPatch, matchesStructure, patchBetween, structureOf, type Patch } from './text-patch';

type Reference = NonNullable<Env['references']>[string];

/**
 * A rendered part of a streamed reply: a frozen unit (one top-level markdown block, with any blank
 * lines and link reference definitions before the next one) or a block of the open tail.
 */
export interface StreamUnit {
	/** Sanitized HTML (serialized on first use). */
	readonly html: string;
	/** The same, as sanitized nodes (a fresh copy per call): what `createStreamView` inserts. */
	content(): DocumentFragment;
}

export interface StreamStats {
	appends: number;
	/** Characters markdown-it parsed in total (the open tail per append, plus units rendered alone). */
	parsedChars: number;
	/** The most characters parsed by one append (or finish/refresh). */
	maxParsedPerCall: number;
	/** Block renders that went through the sanitizer. */
	sanitized: number;
	/** Block renders that were a text patch of the previous ones (only the text being written grew). */
	patched: number;
	/** Units rendered again after they froze (a later link definition, a lazy renderer loaded). */
	rerenders: number;
}

export interface StreamRenderer {
	/** Adds the next piece of the reply (any size, split anywhere) and re-renders the open tail. */
	append(chunk: string): void;
	/** The reply is complete: freezes everything; afterwards `html` equals `renderMarkdown(text).html`. */
	finish(): void;
	/**
	 * Re-renders whatever was waiting for a lazy renderer that has loaded since (call it when
	 * `pending` resolves). True if anything changed.
	 */
	refresh(): boolean;
	readonly done: boolean;
	/** The reply so far (normalised line endings). */
	readonly text: string;
	/** Frozen units in order; their html may still be replaced (see `changes`). */
	readonly units: readonly StreamUnit[];
	/** The open tail, one part per top-level block; a part that did not change is the same object. */
	readonly tail: readonly StreamUnit[];
	readonly tailHtml: string;
	/**
	 * Append-only log of unit indices that are new or whose html changed; a view keeps a cursor
	 * into it (see `createStreamView`).
	 */
	readonly changes: readonly number[];
	/** The whole sanitized HTML (joins every unit: O(length), for tests and one-off use). */
	readonly html: string;
	/** Code blocks so far (frozen and in the tail). */
	readonly codeBlocks: number;
	/** Non-null while some unit or the tail shows a part plain because its lazy renderer is loading. */
	readonly pending: Promise<void> | null;
	readonly stats: Readonly<StreamStats>;
}

/** Sanitized nodes of one block, serialized to HTML only when someone asks. */
class Rendered implements StreamUnit {
	private serialized: string | null = null;
	constructor(
		/** The renderer's HTML before sanitizing: the cache key. */
		readonly raw: string,
		private readonly fragment: DocumentFragment | null,
		/** This rendering is `base` with one text patch applied: a view showing `base` can apply it too. */
		readonly patch: { base: Rendered; patch: Patch } | null = null
	) {
		const structure = fragment ? structureOf(raw) : null;
		/** Its nodes match its HTML one for one (see text-patch.ts): it can be the base of a patch. */
		this.patchable = structure !== null && fragment !== null && matchesStructure(fragment.childNodes, structure);
	}
	readonly patchable: boolean;
	get html(): string {
		this.serialized ??= this.fragment ? serializeFragment(this.fragment) : '';
		return this.serialized;
	}
	content(): DocumentFragment {
		return this.fragment ? (this.fragment.cloneNode(true) as DocumentFragment) : document.createDocumentFragment();
	}
	/** The rendering of `raw` as a text patch of this one, if `raw` differs from this one's HTML only in one text run. */
	patched(raw: string): Rendered | null {
		if (!this.patchable || !this.fragment) return null;
		const patch = patchBetween(this.raw, raw);
		if (!patch) return null;
		const copy = this.fragment.cloneNode(true) as DocumentFragment;
		return applyPatch(copy.childNodes, patch) ? new Rendered(raw, copy, { base: this, patch }) : null;
	}
}
const EMPTY = new Rendered('', null);
/** Between blocks sanitized together (markdown-it never writes an `<hr>` with a class). */
const SPLIT = '<hr class="md-split">';

class Unit implements StreamUnit {
	rendered: Rendered = EMPTY;
	codeCount = 0;
	/** Reference labels this unit looked up and did not find. */
	misses = new Set<string>();
	needs: string[] = [];
	constructor(
		readonly source: string,
		readonly codeOffset: number
	) {}
	get html(): string {
		return this.rendered.html;
	}
	content(): DocumentFragment {
		return this.rendered.content();
	}
}

/** The rendering behind a unit or tail part: the same object means the same sanitized nodes. */
export function renderingOf(part: StreamUnit): object {
	return part instanceof Unit ? part.rendered : part;
}

/** When a tail part is another rendering with one text patch applied: which, and the patch. */
export function patchOf(part: StreamUnit): { base: object; patch: Patch } | null {
	return part instanceof Rendered ? part.patch : null;
}

interface Segment {
	rendered: Rendered;
	codeCount: number;
	needs: string[];
}

/**
 * Incremental rendering of a streamed reply. Only the open tail is parsed per append: once a
 * top-level block is followed by a blank line (markdown-it's own block tokens decide, so a blank
 * line inside a list, a fence or a math block does not count), it is final and freezes into a
 * unit — except a list or indented code, which can go on after a blank line: those freeze when the
 * next line shows it starts something else. The tail is rendered and sanitized block by block, and
 * a block whose HTML did not change since the last append (or that just froze) is not sanitized
 * again. Per-append work is proportional to the open tail (about one block), not to the reply.
 *
 * What can change a frozen unit later, and is handled: a link reference definition that arrives
 * after its use (the unit is rendered again with it), and a lazy renderer that finishes loading.
 * Limit: one very long top-level block (a list or table of thousands of lines, a huge fence) is
 * re-parsed per append while it is open.
 */
export function createStreamRenderer(): StreamRenderer {
	return new IncrementalRenderer();
}

class IncrementalRenderer implements StreamRenderer {
	readonly units: Unit[] = [];
	readonly changes: number[] = [];
	readonly stats: StreamStats = { appends: 0, parsedChars: 0, maxParsedPerCall: 0, sanitized: 0, patched: 0, rerenders: 0 };
	done = false;
	private source = '';
	private segments: Segment[] = [];
	private heldCR = false;
	private codeTotal = 0;
	private callParsed = 0;
	private seenSettled = settledDependencies();
	/** Link reference definitions of frozen units, first definition wins (as in one document). */
	private readonly references = new Map<string, Reference>();
	private readonly missIndex = new Map<string, Set<number>>();
	private readonly waiting = new Set<number>();
	private cachedText: string | null = null;

	get text(): string {
		this.cachedText ??= this.units.map((u) => u.source).join('') + this.source;
		return this.cachedText;
	}

	get tail(): readonly StreamUnit[] {
		return this.segments.map((s) => s.rendered);
	}

	get tailHtml(): string {
		return this.segments.map((s) => s.rendered.html).join('');
	}

	get html(): string {
		return this.units.map((u) => u.html).join('') + this.tailHtml;
	}

	get codeBlocks(): number {
		return this.segments.reduce((n, s) => n + s.codeCount, this.codeTotal);
	}

	private get tailNeeds(): string[] {
		return this.segments.flatMap((s) => s.needs);
	}

	get pending(): Promise<void> | null {
		const deps = new Set<string>();
		for (const i of this.waiting) for (const dep of this.units[i]!.needs) if (!isSettled(dep)) deps.add(dep);
		for (const dep of this.tailNeeds) if (!isSettled(dep)) deps.add(dep);
		return deps.size ? whenSettled(deps) : null;
	}

	append(chunk: string): void {
		if (this.done) throw new Error('render: append after finish');
		this.stats.appends++;
		this.callParsed = 0;
		let text = (this.heldCR ? '\r' : '') + chunk;
		// A "\r\n" split across chunks must still count as one line break.
		this.heldCR = text.endsWith('\r');
		if (this.heldCR) text = text.slice(0, -1);
		text = normalizeSource(text);
		const lazyChanged = this.catchUpLazy();
		if (text || lazyChanged || this.tailNeeds.some(isSettled)) {
			this.source += text;
			this.cachedText = null;
			this.update(false);
		}
		this.endCall();
	}

	finish(): void {
		if (this.done) return;
		this.callParsed = 0;
		if (this.heldCR) this.source += '\n';
		this.heldCR = false;
		this.done = true;
		this.cachedText = null;
		this.catchUpLazy();
		this.update(true);
		this.endCall();
	}

	refresh(): boolean {
		this.callParsed = 0;
		let changed = this.catchUpLazy();
		if (this.tailNeeds.some(isSettled)) {
			this.update(this.done);
			changed = true;
		}
		this.endCall();
		return changed;
	}

	private endCall(): void {
		this.stats.maxParsedPerCall = Math.max(this.stats.maxParsedPerCall, this.callParsed);
	}

	private parse(source: string, env: Env): Token[] {
		this.stats.parsedChars += source.length;
		this.callParsed += source.length;
		return md.parse(source, env);
	}

	/**
	 * env.references for a parse: frozen definitions, plus the ones this source defines itself.
	 * Every label looked up goes to `lookups`, and the ones not found also to `misses`.
	 */
	private referencesFor(own: Map<string, Reference>, misses: Set<string>, lookups: Set<string>): Record<string, Reference> {
		const frozen = this.references;
		return new Proxy({} as Record<string, Reference>, {
			get(_target, key) {
				if (typeof key !== 'string') return undefined;
				lookups.add(key);
				const found = own.get(key) ?? frozen.get(key);
				if (!found) misses.add(key);
				return found;
			},
			set(_target, key, value: Reference) {
				if (typeof key === 'string' && !own.has(key) && !frozen.has(key)) own.set(key, value);
				return true;
			},
			has(_target, key) {
				return typeof key === 'string' && (own.has(key) || frozen.has(key));
			}
		});
	}

	/**
	 * A block's rendering without the sanitizer, if possible: the open tail's previous one when its
	 * HTML is unchanged, or a text patch of the block's previous rendering when only its text changed.
	 */
	private reuse(raw: string, previous: Map<string, Rendered>, before?: Rendered): Rendered | null {
		if (!raw) return EMPTY;
		const reused = previous.get(raw);
		if (reused) {
			previous.delete(raw); // one rendering, one place in the DOM
			return reused;
		}
		if (before && previous.get(before.raw) === before) {
			const patched = before.patched(raw);
			if (patched) {
				previous.delete(before.raw);
				this.stats.patched++;
				return patched;
			}
		}
		return null;
	}

	/**
	 * Sanitizes blocks in one DOMPurify pass (its cost is mostly per call): the blocks, with a marker
	 * element between them, sanitized together and split again at the markers. Top-level blocks are
	 * siblings, so this is the same as sanitizing each alone (and falls back to that if the split
	 * does not come out right).
	 */
	private sanitizeAll(raws: string[]): Rendered[] {
		this.stats.sanitized += raws.length;
		const make = (raw: string, fragment: DocumentFragment) => new Rendered(raw, fragment);
		if (raws.length === 1) return [make(raws[0]!, sanitizeToFragment(raws[0]!))];
		const joined = sanitizeToFragment(raws.join(SPLIT));
		const parts: DocumentFragment[] = [joined.ownerDocument.createDocumentFragment()];
		for (const node of Array.from(joined.childNodes)) {
			if (node.nodeType === 1 && (node as Element).localName === 'hr' && (node as Element).className === 'md-split') parts.push(joined.ownerDocument.createDocumentFragment());
			else parts[parts.length - 1]!.append(node);
		}
		if (parts.length !== raws.length) return raws.map((raw) => make(raw, sanitizeToFragment(raw)));
		return raws.map((raw, i) => make(raw, parts[i]!));
	}

	/** Re-parses the open tail, freezes what is final, renders the rest block by block. */
	private update(final: boolean): void {
		const context: RenderContext = { codeIndex: this.codeTotal, needs: new Set(), streaming: !final };
		const lookups = new Set<string>();
		const env = createEnv(context, this.referencesFor(new Map(), new Set(), lookups));
		const tail = this.source;
		const tokens = this.parse(tail, env);

		// Top-level blocks: the one level-0 opening (or self-contained) token each has.
		// An unclosed fence runs to the end of the text, across blank lines: it is never final.
		const blocks: Array<{ line: number; end: number; token: number; type: string }> = [];
		for (let i = 0; i < tokens.length; i++) {
			const t = tokens[i]!;
			if (t.level !== 0 || t.nesting === -1 || !t.map) continue;
			blocks.push({ line: t.map[0], end: t.map[1], token: i, type: t.type === 'fence' && t.meta?.closed !== true ? 'open_fence' : t.type });
		}
		const lineStarts = [0];
		for (let i = tail.indexOf('\n'); i >= 0; i = tail.indexOf('\n', i + 1)) lineStarts.push(i + 1);
		/** Lines that end with a newline; line `complete` (if any) is the unfinished last one. */
		const complete = lineStarts.length - 1;
		const lineText = (line: number) => tail.slice(lineStarts[line], line < complete ? lineStarts[line + 1]! - 1 : tail.length);

		// How many blocks are final, and the line where the open part starts.
		let freeze = final ? blocks.length : 0;
		let cutLine = final ? complete + 1 : 0;
		for (let j = blocks.length - 1; j >= 0 && !final; j--) {
			const next = blocks[j + 1];
			const cut = next ? next.line : complete;
			if (cut < 1 || blocks[j]!.end > cut || !/^[ \t]*$/.test(lineText(cut - 1))) continue;
			if (!closedAfterBlank(blocks[j]!.type, lineText(cut), next !== undefined && cut < complete)) continue;
			freeze = j + 1;
			cutLine = cut;
			break;
		}

		// Render and sanitize block by block; a block is one top-level token run, and it renders the
		// same alone as after the others (the property tests hold the renderer to that).
		const previous = new Map(this.segments.map((s) => [s.rendered.raw, s.rendered]));
		const raws: string[] = [];
		const segments: Segment[] = blocks.map((block, b) => {
			const needs = new Set<string>();
			context.needs = needs;
			const codeBefore = context.codeIndex;
			const raw = md.renderer.render(tokens.slice(block.token, blocks[b + 1]?.token ?? tokens.length), md.options, env);
			raws.push(raw);
			return { rendered: EMPTY, codeCount: context.codeIndex - codeBefore, needs: [...needs] };
		});
		const fresh: number[] = [];
		segments.forEach((segment, b) => {
			const reused = this.reuse(raws[b]!, previous, this.segments[b]?.rendered);
			if (reused) segment.rendered = reused;
			else fresh.push(b);
		});
		if (fresh.length) this.sanitizeAll(fresh.map((b) => raws[b]!)).forEach((rendered, i) => (segments[fresh[i]!]!.rendered = rendered));

		const cut = cutLine > complete ? tail.length : lineStarts[cutLine]!;
		// Without any reference lookup in the tail, a frozen block is exactly its tail rendering;
		// with one, it is parsed again alone, to know its own definitions and misses.
		const alone = lookups.size > 0;
		if (freeze > 0) {
			let from = 0;
			for (let b = 0; b < freeze; b++) {
				const to = b + 1 < freeze ? lineStarts[blocks[b + 1]!.line]! : cut;
				this.freezeUnit(tail.slice(from, to), segments[b]!, alone);
				from = to;
			}
		} else if (final && tail) this.freezeUnit(tail, { rendered: EMPTY, codeCount: 0, needs: [] }, alone);
		this.source = final ? '' : tail.slice(freeze > 0 ? cut : 0);
		this.segments = final ? [] : segments.slice(freeze);
	}

	/** Freezes a unit with its tail rendering, or (`alone`) renders it again by itself first. */
	private freezeUnit(source: string, segment: Segment, alone: boolean): void {
		const index = this.units.length;
		const unit = new Unit(source, this.codeTotal);
		this.units.push(unit);
		let own = new Map<string, Reference>();
		if (alone) own = this.renderUnit(index, segment.rendered);
		else {
			unit.rendered = segment.rendered;
			unit.codeCount = segment.codeCount;
			this.setNeeds(index, segment.needs);
			this.changes.push(index);
		}
		this.codeTotal += unit.codeCount;
		const added: string[] = [];
		for (const [label, reference] of own) {
			if (this.references.has(label)) continue;
			this.references.set(label, reference);
			added.push(label);
		}
		// Earlier units that used a label before its definition arrived.
		for (const label of added) {
			for (const j of [...(this.missIndex.get(label) ?? [])]) if (j !== index) this.rerender(j);
		}
	}

	private rerender(index: number): void {
		this.stats.rerenders++;
		this.renderUnit(index);
	}

	private setNeeds(index: number, needs: string[]): void {
		this.units[index]!.needs = needs;
		if (needs.length) this.waiting.add(index);
		else this.waiting.delete(index);
	}

	/** Renders unit `index` alone (with all frozen definitions); returns the definitions it made. */
	private renderUnit(index: number, candidate?: Rendered): Map<string, Reference> {
		const unit = this.units[index]!;
		const context: RenderContext = { codeIndex: unit.codeOffset, needs: new Set(), streaming: false };
		const own = new Map<string, Reference>();
		const misses = new Set<string>();
		const env = createEnv(context, this.referencesFor(own, misses, new Set()));
		const tokens = this.parse(unit.source, env);
		const raw = md.renderer.render(tokens, md.options, env);
		if (raw !== unit.rendered.raw) unit.rendered = this.reuse(raw, new Map(candidate ? [[candidate.raw, candidate]] : []), candidate) ?? this.sanitizeAll([raw])[0]!;
		unit.codeCount = context.codeIndex - unit.codeOffset;
		for (const label of own.keys()) misses.delete(label);
		for (const label of unit.misses) this.missIndex.get(label)?.delete(index);
		for (const label of misses) {
			let set = this.missIndex.get(label);
			if (!set) this.missIndex.set(label, (set = new Set()));
			set.add(index);
		}
		unit.misses = misses;
		this.setNeeds(index, [...context.needs]);
		this.changes.push(index);
		return own;
	}

	/** Renders again the frozen units whose lazy renderer settled since the last look. */
	private catchUpLazy(): boolean {
		const settled = settledDependencies();
		if (settled === this.seenSettled) return false;
		this.seenSettled = settled;
		let changed = false;
		for (const index of [...this.waiting]) {
			if (this.units[index]!.needs.some(isSettled)) {
				this.rerender(index);
				changed = true;
			}
		}
		return changed;
	}
}

/**
 * After a blank line, is a top-level block of this type over whatever comes next? Only a list
 * (another item, or an indented continuation) and indented code (more indented lines) can go on
 * across a blank line, and an unclosed fence goes on to the end; for a list or indented code, the
 * next line must already show it starts something else.
 */
function closedAfterBlank(type: string, nextLine: string, nextStartsBlock: boolean): boolean {
	if (type === 'open_fence') return false;
	if (type !== 'bullet_list_open' && type !== 'ordered_list_open' && type !== 'code_block') return true;
	if (nextStartsBlock) return true;
	const first = nextLine.charAt(0);
	if (first === '' || first === ' ' || first === '\t') return false;
	return type === 'code_block' || !/[-+*0-9]/.test(first);
}
