import type { Env, Token } from 'markdown-it';
import { isSettled, settledDependencies, whenSettled } from './lazy';
import { createEnv, md, type RenderContext } from './markdown';
import { normalizeSource } from './render';
import { sanitizeHtml } from './sanitize';

type Reference = NonNullable<Env['references']>[string];

/** A frozen part of a streamed reply: one top-level markdown block (with any blank lines and
 * link reference definitions before the next one). Its html may still be replaced, see `changes`. */
export interface StreamUnit {
	readonly html: string;
}

export interface StreamStats {
	appends: number;
	/** Characters markdown-it parsed in total (open tail per append, plus each unit once when frozen). */
	parsedChars: number;
	/** The most characters parsed by one append (or finish/refresh). */
	maxParsedPerCall: number;
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
	/** Frozen units in order, then the open tail. */
	readonly units: readonly StreamUnit[];
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

interface Unit extends StreamUnit {
	html: string;
	readonly source: string;
	readonly codeOffset: number;
	codeCount: number;
	/** Reference labels this unit looked up and did not find. */
	misses: Set<string>;
	needs: string[];
}

/**
 * Incremental rendering of a streamed reply. Only the open tail is parsed per append: once a
 * top-level block is followed by a blank line and a complete line that starts the next top-level
 * block (markdown-it's own block tokens decide, so a blank line inside a list, a fence or a math
 * block does not count), everything before it is final and freezes into units, each rendered and
 * sanitized once. Per-append work is proportional to the open tail, not to the reply.
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
	readonly stats: StreamStats = { appends: 0, parsedChars: 0, maxParsedPerCall: 0, rerenders: 0 };
	tailHtml = '';
	done = false;
	private tail = '';
	private tailNeeds: string[] = [];
	private tailCodeBlocks = 0;
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
		this.cachedText ??= this.units.map((u) => u.source).join('') + this.tail;
		return this.cachedText;
	}

	get html(): string {
		return this.units.map((u) => u.html).join('') + this.tailHtml;
	}

	get codeBlocks(): number {
		return this.codeTotal + this.tailCodeBlocks;
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
			this.tail += text;
			this.cachedText = null;
			this.update(false);
		}
		this.endCall();
	}

	finish(): void {
		if (this.done) return;
		this.callParsed = 0;
		if (this.heldCR) this.tail += '\n';
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

	/** env.references for a parse: frozen definitions, plus the ones this source defines itself. */
	private referencesFor(own: Map<string, Reference>, misses: Set<string> | null): Record<string, Reference> {
		const frozen = this.references;
		return new Proxy({} as Record<string, Reference>, {
			get(_target, key) {
				if (typeof key !== 'string') return undefined;
				const found = own.get(key) ?? frozen.get(key);
				if (!found) misses?.add(key);
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

	/** Re-parses the open tail, freezes what is final, renders the rest. */
	private update(final: boolean): void {
		const context: RenderContext = { codeIndex: this.codeTotal, needs: new Set(), streaming: !final };
		const own = new Map<string, Reference>();
		const env = createEnv(context, this.referencesFor(own, null));
		const tail = this.tail;
		const tokens = this.parse(tail, env);

		// Top-level blocks: the one level-0 opening (or self-contained) token each has.
		const starts: Array<{ line: number; token: number }> = [];
		for (let i = 0; i < tokens.length; i++) {
			const t = tokens[i]!;
			if (t.level === 0 && t.nesting !== -1 && t.map) starts.push({ line: t.map[0], token: i });
		}
		const lineStarts = [0];
		for (let i = tail.indexOf('\n'); i >= 0; i = tail.indexOf('\n', i + 1)) lineStarts.push(i + 1);
		const isBlank = (line: number) => /^[ \t]*$/.test(tail.slice(lineStarts[line], (lineStarts[line + 1] ?? tail.length + 1) - 1));

		let freeze = 0;
		if (final) freeze = starts.length;
		else {
			for (let b = starts.length - 1; b >= 1; b--) {
				const line = starts[b]!.line;
				if (line + 1 < lineStarts.length && isBlank(line - 1)) {
					freeze = b;
					break;
				}
			}
		}

		const cut = final ? tail.length : freeze > 0 ? lineStarts[starts[freeze]!.line]! : 0;
		if (cut > 0) {
			let from = 0;
			for (let b = 1; b < freeze; b++) {
				const to = lineStarts[starts[b]!.line]!;
				this.freezeUnit(tail.slice(from, to));
				from = to;
			}
			this.freezeUnit(tail.slice(from, cut));
			this.tail = tail.slice(cut);
		}

		if (final) {
			this.tailHtml = '';
			this.tailNeeds = [];
			this.tailCodeBlocks = 0;
			return;
		}
		// The rest of the tail renders from the same tokens: a top-level block parses alike alone or
		// after others, and the definitions it saw are now frozen ones.
		const rest = freeze > 0 ? tokens.slice(starts[freeze]!.token) : tokens;
		context.codeIndex = this.codeTotal;
		context.needs = new Set();
		this.tailHtml = sanitizeHtml(md.renderer.render(rest, md.options, env));
		this.tailNeeds = [...context.needs];
		this.tailCodeBlocks = context.codeIndex - this.codeTotal;
	}

	private freezeUnit(source: string): void {
		const index = this.units.length;
		const unit: Unit = { source, html: '', codeOffset: this.codeTotal, codeCount: 0, misses: new Set(), needs: [] };
		this.units.push(unit);
		const own = this.renderUnit(index);
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

	/** Renders unit `index` alone (with all frozen definitions); returns the definitions it made. */
	private renderUnit(index: number): Map<string, Reference> {
		const unit = this.units[index]!;
		const context: RenderContext = { codeIndex: unit.codeOffset, needs: new Set(), streaming: false };
		const own = new Map<string, Reference>();
		const misses = new Set<string>();
		const env = createEnv(context, this.referencesFor(own, misses));
		const tokens = this.parse(unit.source, env);
		unit.html = sanitizeHtml(md.renderer.render(tokens, md.options, env));
		unit.codeCount = context.codeIndex - unit.codeOffset;
		for (const label of own.keys()) misses.delete(label);
		for (const label of unit.misses) this.missIndex.get(label)?.delete(index);
		for (const label of misses) {
			let set = this.missIndex.get(label);
			if (!set) this.missIndex.set(label, (set = new Set()));
			set.add(index);
		}
		unit.misses = misses;
		unit.needs = [...context.needs];
		if (unit.needs.length) this.waiting.add(index);
		else this.waiting.delete(index);
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
