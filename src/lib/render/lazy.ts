import type { HLJSApi } from 'highlight.js';
import type { KatexOptions } from 'katex';
import { grammarFor, LANGUAGE_LOADERS } from './languages';

/**
 * The heavy renderers, each loaded by dynamic import() the first time a reply needs it:
 * highlight.js core plus one grammar per language (`hl:<grammar>`), and KaTeX (`math`).
 * Rendering never waits: a block whose renderer is not ready renders plain (code as text, TeX as
 * code) and records the dependency; `whenSettled` resolves once those loads finish (or fail), and
 * the caller renders again. A failed load stays failed: that block keeps its plain form.
 */
type Katex = { renderToString(tex: string, options?: KatexOptions): string };
type DepState = 'loading' | 'ready' | 'failed';

const states = new Map<string, DepState>();
const loads = new Map<string, Promise<void>>();
let hljs: HLJSApi | null = null;
let hljsCore: Promise<HLJSApi> | null = null;
let katex: Katex | null = null;
/** Bumped whenever a dependency settles, so stream renderers can tell cheaply that something changed. */
let settledCount = 0;

/**
 * KaTeX: `trust: false` (\href, \url, \includegraphics, \htmlClass… render as error text),
 * `output: 'mathml'` (native MathML in Chromium: no `style` attributes, so `style` stays
 * forbidden by the sanitiser), user sizes capped at 10em, macro expansion bounded.
 */
export const KATEX_OPTIONS: KatexOptions = {
	output: 'mathml',
	trust: false,
	throwOnError: false,
	strict: 'ignore',
	maxSize: 10,
	maxExpand: 1000,
	errorColor: '#cc0000'
};

function loadHljsCore(): Promise<HLJSApi> {
	hljsCore ??= import('highlight.js/lib/core').then((m) => {
		hljs = m.default;
		return m.default;
	});
	return hljsCore;
}

function start(dep: string, load: () => Promise<void>): Promise<void> {
	const existing = loads.get(dep);
	if (existing) return existing;
	states.set(dep, 'loading');
	const promise = load().then(
		() => {
			states.set(dep, 'ready');
			settledCount++;
		},
		(error: unknown) => {
			states.set(dep, 'failed');
			settledCount++;
			console.warn(`phosphor render: could not load ${dep}`, error);
		}
	);
	loads.set(dep, promise);
	return promise;
}

/** Starts loading a dependency (`math` or `hl:<grammar>`); resolves when it has settled, never rejects. */
export function loadDependency(dep: string): Promise<void> {
	if (dep === 'math') {
		return start(dep, async () => {
			const m = await import('katex');
			katex = m.default;
		});
	}
	const grammar = dep.startsWith('hl:') ? dep.slice(3) : '';
	const loader = Object.hasOwn(LANGUAGE_LOADERS, grammar) ? LANGUAGE_LOADERS[grammar] : undefined;
	if (!loader) return Promise.resolve();
	return start(dep, async () => {
		const [core, language] = await Promise.all([loadHljsCore(), loader()]);
		core.registerLanguage(grammar, language.default);
	});
}

export function isSettled(dep: string): boolean {
	const state = states.get(dep);
	return state === 'ready' || state === 'failed';
}

export function settledDependencies(): number {
	return settledCount;
}

/** Resolves when every listed dependency has settled (loading them if needed). */
export function whenSettled(deps: Iterable<string>): Promise<void> {
	return Promise.all(Array.from(deps, loadDependency)).then(() => undefined);
}

/** Resolves when nothing is loading any more (tests, benchmarks). */
export async function whenRenderersIdle(): Promise<void> {
	for (;;) {
		const pending = [...loads.values()];
		await Promise.all(pending);
		if (loads.size === pending.length) return;
	}
}

/** Loads the renderers a text will need, e.g. before measuring, or to warm up. */
export function preloadRenderers(deps: { math?: boolean; languages?: string[] }): Promise<void> {
	const list: string[] = deps.math ? ['math'] : [];
	for (const id of deps.languages ?? []) {
		const grammar = grammarFor(id);
		if (grammar) list.push(`hl:${grammar}`);
	}
	return whenSettled(list);
}

/** Small bounded caches: the open tail is re-rendered per chunk, its math and closed fences need not be. */
class BoundedCache {
	private map = new Map<string, string>();
	private size = 0;
	constructor(private readonly maxChars: number) {}
	get(key: string): string | undefined {
		return this.map.get(key);
	}
	set(key: string, value: string): void {
		if (this.size > this.maxChars) {
			this.map.clear();
			this.size = 0;
		}
		this.map.set(key, value);
		this.size += key.length + value.length;
	}
}
const mathCache = new BoundedCache(2_000_000);
const codeCache = new BoundedCache(4_000_000);

/**
 * Highlighted HTML for a closed fence, or null to render it plain. Records the dependency in
 * `needs` when its grammar is not loaded yet (and starts the load).
 */
export function highlightCode(code: string, id: string, needs: Set<string>): string | null {
	const grammar = grammarFor(id);
	if (!grammar) return null;
	const dep = `hl:${grammar}`;
	const state = states.get(dep);
	if (state !== 'ready' || !hljs) {
		if (state !== 'failed') {
			needs.add(dep);
			void loadDependency(dep);
		}
		return null;
	}
	const key = `${grammar}\u0000${code}`;
	const cached = codeCache.get(key);
	if (cached !== undefined) return cached;
	let html: string;
	try {
		html = hljs.highlight(code, { language: grammar, ignoreIllegals: true }).value;
	} catch {
		return null;
	}
	codeCache.set(key, html);
	return html;
}

/** KaTeX MathML for a formula, or null to render the TeX as code (recording the `math` dependency). */
export function renderTex(tex: string, displayMode: boolean, needs: Set<string>): string | null {
	const state = states.get('math');
	if (state !== 'ready' || !katex) {
		if (state !== 'failed') {
			needs.add('math');
			void loadDependency('math');
		}
		return null;
	}
	const key = `${displayMode ? 'D' : 'I'}${tex}`;
	const cached = mathCache.get(key);
	if (cached !== undefined) return cached;
	let html: string;
	try {
		html = katex.renderToString(tex, { ...KATEX_OPTIONS, displayMode });
	} catch {
		return null;
	}
	mathCache.set(key, html);
	return html;
}
