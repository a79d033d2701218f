/**
 * Browser side of tests/e2e/xss.spec.ts, bundled with esbuild at test time and served under the
 * production CSP. Renders every payload one-shot and streamed (random splits), inserting the
 * output exactly as the app does (mountRendered / createStreamView), waits for the lazy renderers,
 * and reports what it finds. The checks are independent of the renderer: URLs are judged by the
 * browser's own URL parser, elements and attributes by the live DOM.
 */
import { createStreamRenderer, createStreamView, mountRendered, renderMarkdown, whenRenderersIdle } from '../../../src/lib/render';
import { mulberry32 } from '../../../src/lib/render/fixtures/long-reply';
import { PAYLOADS } from './payloads';

export interface Violation {
	phase: string;
	directive: string;
	blocked: string;
	sample: string;
}

export interface XssReport {
	payloads: number;
	renders: number;
	steps: number;
	failures: Array<{ id: string; category: string; problems: string[] }>;
	controlProblems: string[];
	controlViolations: number;
}

declare global {
	interface Window {
		__xss: (n: number) => void;
		__xssCalls: number[];
		__violations: Violation[];
		__phase: string;
		__runXss: () => Promise<XssReport>;
	}
}

const FORBIDDEN = new Set([
	'script', 'style', 'form', 'input', 'button', 'textarea', 'select', 'option', 'iframe', 'frame', 'object', 'embed', 'base',
	'meta', 'link', 'img', 'image', 'svg', 'video', 'audio', 'source', 'picture', 'template', 'noscript', 'title', 'portal',
	'dialog', 'details', 'xmp', 'plaintext', 'noembed', 'annotation-xml', 'maction', 'foreignobject', 'applet', 'isindex', 'keygen'
]);
const URL_ATTRIBUTES = new Set(['href', 'src', 'xlink:href', 'action', 'formaction', 'data', 'background', 'poster', 'srcset', 'codebase', 'cite', 'ping', 'manifest']);
const RASTER_DATA = /^data:image\/(?:png|jpeg|gif|webp)[;,]/i;

function urlAllowed(value: string): boolean {
	if (value.trim().startsWith('#')) return true;
	let url: URL;
	try {
		url = new URL(value, location.href);
	} catch {
		// The browser cannot resolve it (e.g. a half-streamed "https:"): the link goes nowhere.
		return true;
	}
	if (url.protocol === 'http:' || url.protocol === 'https:' || url.protocol === 'mailto:') return true;
	return url.protocol === 'data:' && RASTER_DATA.test(url.href);
}

function inspect(container: Element, marker: string | null): string[] {
	const problems: string[] = [];
	for (const el of container.querySelectorAll('*')) {
		const tag = el.localName.toLowerCase();
		if (FORBIDDEN.has(tag)) problems.push(`<${tag}>`);
		for (const attr of Array.from(el.attributes)) {
			const name = attr.name.toLowerCase();
			if (name.startsWith('on')) problems.push(`${tag}[${name}]`);
			if (name === 'style' || name === 'srcdoc') problems.push(`${tag}[${name}]`);
			if ((URL_ATTRIBUTES.has(name) || attr.localName === 'href') && !urlAllowed(attr.value)) problems.push(`${tag}[${name}=${attr.value.slice(0, 60)}]`);
		}
		if (tag === 'a' && el.hasAttribute('href')) {
			const rel = (el.getAttribute('rel') ?? '').split(/\s+/);
			if (!rel.includes('noopener') || !rel.includes('noreferrer') || el.getAttribute('target') !== '_blank') problems.push('a[href] without rel/target');
		}
	}
	if (marker !== null && !(container.textContent ?? '').includes(marker)) problems.push(`marker ${marker} missing`);
	return problems;
}

/** Cut points for a text: `count` random ones (seeded), or every character. */
function splits(text: string, seed: number, count: number | 'each'): string[] {
	if (count === 'each') return Array.from(text);
	const rand = mulberry32(seed);
	const cuts = new Set<number>();
	for (let i = 0; i < count; i++) cuts.add(1 + Math.floor(rand() * Math.max(1, text.length - 1)));
	const points = [...cuts].sort((a, b) => a - b);
	const out: string[] = [];
	let from = 0;
	for (const p of points) {
		out.push(text.slice(from, p));
		from = p;
	}
	out.push(text.slice(from));
	return out;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function run(): Promise<XssReport> {
	const root = document.getElementById('root')!;
	const box = () => root.appendChild(document.createElement('div'));

	// Positive controls: the checks and the CSP listener do see a raw injection.
	window.__phase = 'control';
	const control = box();
	control.innerHTML = '<img src="data:," onerror="__xss(-1)"><a href="javascript:__xss(-2)">x</a><form><input></form>';
	await sleep(300);
	const controlProblems = inspect(control, 'never there');
	const controlViolations = window.__violations.filter((v) => v.phase === 'control').length;
	control.remove();

	window.__phase = 'payloads';
	console.log('XSS-HARNESS payloads');
	const problems = new Map<string, Set<string>>();
	const note = (id: string, problem: string) => {
		let set = problems.get(id);
		if (!set) problems.set(id, (set = new Set()));
		set.add(problem);
	};
	let renders = 0;
	let steps = 0;
	const mounted: Array<() => void> = [];

	for (const payload of PAYLOADS) {
		const marker = `END-${payload.id}`;
		try {
			const oneShot = box();
			mountRendered(oneShot, renderMarkdown(payload.text).html);
			renders++;
			for (const p of inspect(oneShot, marker)) note(payload.id, `one-shot: ${p}`);

			const plans: Array<number | 'each'> = [3, 8, 20];
			if (payload.text.length <= 400) plans.push('each');
			plans.forEach((plan, k) => {
				const container = box();
				const view = createStreamView(container);
				const stream = createStreamRenderer();
				const chunks = splits(payload.text, payload.n * 101 + k, plan);
				chunks.forEach((chunk, i) => {
					stream.append(chunk);
					view.update(stream);
					steps++;
					for (const p of inspect(container, null)) note(payload.id, `stream ${plan} step ${i}: ${p}`);
				});
				stream.finish();
				view.update(stream);
				renders++;
				for (const p of inspect(container, marker)) note(payload.id, `stream ${plan} final: ${p}`);
				mounted.push(() => {
					stream.refresh();
					view.update(stream);
					for (const p of inspect(container, marker)) note(payload.id, `stream ${plan} after lazy load: ${p}`);
					const expected = renderMarkdown(payload.text).html;
					if (stream.html !== expected) note(payload.id, `stream ${plan}: differs from the one-shot render`);
				});
			});
			mounted.push(() => {
				mountRendered(oneShot, renderMarkdown(payload.text).html);
				for (const p of inspect(oneShot, marker)) note(payload.id, `one-shot after lazy load: ${p}`);
			});
		} catch (error) {
			note(payload.id, `threw: ${error instanceof Error ? error.message : String(error)}`);
		}
	}

	// KaTeX and highlight.js grammars arrive as separate chunks (under the CSP); render again.
	await whenRenderersIdle();
	for (const again of mounted) again();
	// Give event handlers, navigations and CSP reports a chance to happen.
	await sleep(500);
	console.log('XSS-HARNESS done');
	window.__phase = 'done';

	return {
		payloads: PAYLOADS.length,
		renders,
		steps,
		failures: PAYLOADS.filter((p) => problems.has(p.id)).map((p) => ({ id: p.id, category: p.category, problems: [...problems.get(p.id)!].slice(0, 10) })),
		controlProblems,
		controlViolations
	};
}

window.__runXss = run;
