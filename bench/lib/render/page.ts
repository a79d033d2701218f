/**
 * Browser side of bench/render.bench.ts: streams a long realistic reply through the incremental
 * renderer in fixed-size chunks, inserting into the DOM per chunk exactly as the app does
 * (createStreamView), and renders the same text one-shot. Wall times from performance.now around
 * the synchronous work of each chunk; the runner also reads each task's main-thread CPU time from
 * a trace (robust against a busy machine).
 */
import { longReply } from '../../../src/lib/render/fixtures/long-reply';
import { createStreamRenderer, createStreamView, mountRendered, preloadRenderers, renderMarkdown } from '../../../src/lib/render';

let text = '';

function freshContainer(): HTMLElement {
	document.getElementById('out')?.remove();
	const container = document.createElement('article');
	container.id = 'out';
	document.body.append(container);
	return container;
}

export interface StreamTiming {
	totalMs: number;
	worstChunkMs: number;
	p99ChunkMs: number;
	finishMs: number;
	chunks: number;
	units: number;
	parsedChars: number;
	sanitized: number;
	patched: number;
	matchesOneShot: boolean;
}

async function prepare(chars: number, seed: number): Promise<{ length: number }> {
	text = longReply(chars, seed);
	// The bench measures steady state: KaTeX and the grammars this reply uses are loaded first.
	await preloadRenderers({ math: true, languages: ['ts', 'python', 'bash'] });
	return { length: text.length };
}

/** Resolves in a new task. */
function nextTask(): Promise<void> {
	return new Promise((resolve) => {
		const channel = new MessageChannel();
		channel.port1.onmessage = () => resolve();
		channel.port2.postMessage(null);
	});
}

/**
 * Streams the text one chunk per task, as a real stream arrives: each chunk's append + DOM update
 * runs inside its own message event handler (a trace's FunctionCall events then hold exactly that
 * work; `performance.mark` 'render-bench-start'/'-end' bracket the run). Wall times from
 * performance.now.
 */
function stream(chunkSize: number, layoutPerChunk: boolean): Promise<StreamTiming> {
	const container = freshContainer();
	const view = createStreamView(container);
	const renderer = createStreamRenderer();
	const times: number[] = [];
	let total = 0;
	let offset = 0;
	const channel = new MessageChannel();
	return new Promise((resolve) => {
		channel.port1.onmessage = () => {
			if (offset < text.length) {
				const chunk = text.slice(offset, offset + chunkSize);
				offset += chunkSize;
				const t0 = performance.now();
				renderer.append(chunk);
				view.update(renderer);
				if (layoutPerChunk) void container.getBoundingClientRect().height;
				const dt = performance.now() - t0;
				times.push(dt);
				total += dt;
				channel.port2.postMessage(null);
				return;
			}
			const f0 = performance.now();
			renderer.finish();
			view.update(renderer);
			if (layoutPerChunk) void container.getBoundingClientRect().height;
			const finishMs = performance.now() - f0;
			performance.mark('render-bench-end');
			total += finishMs;
			channel.port1.close();
			const sorted = [...times].sort((a, b) => a - b);
			// The check against the one-shot render runs in a later task, outside the measured ones.
			void nextTask().then(() => resolve({
				totalMs: total,
				worstChunkMs: Math.max(sorted[sorted.length - 1] ?? 0, finishMs),
				p99ChunkMs: sorted[Math.min(sorted.length - 1, Math.ceil(sorted.length * 0.99) - 1)] ?? 0,
				finishMs,
				chunks: times.length,
				units: renderer.units.length,
				parsedChars: renderer.stats.parsedChars,
				sanitized: renderer.stats.sanitized,
				patched: renderer.stats.patched,
				matchesOneShot: renderer.html === renderMarkdown(text).html
			}));
		};
		performance.mark('render-bench-start');
		channel.port2.postMessage(null);
	});
}

/** The same in one synchronous loop (no task, frame or layout between chunks): the code's own cost. */
function streamSync(chunkSize: number): { totalMs: number } {
	const container = freshContainer();
	const view = createStreamView(container);
	const renderer = createStreamRenderer();
	let total = 0;
	for (let i = 0; i < text.length; i += chunkSize) {
		const t0 = performance.now();
		renderer.append(text.slice(i, i + chunkSize));
		view.update(renderer);
		total += performance.now() - t0;
	}
	const t0 = performance.now();
	renderer.finish();
	view.update(renderer);
	return { totalMs: total + performance.now() - t0 };
}

async function oneShot(layout: boolean): Promise<{ totalMs: number; renderMs: number; htmlChars: number }> {
	const container = freshContainer();
	await nextTask();
	performance.mark('render-bench-start');
	const timing = await new Promise<{ totalMs: number; renderMs: number; htmlChars: number }>((resolve) => {
		const channel = new MessageChannel();
		channel.port1.onmessage = () => {
			const t0 = performance.now();
			const result = renderMarkdown(text);
			const t1 = performance.now();
			mountRendered(container, result.html);
			if (layout) void container.getBoundingClientRect().height;
			channel.port1.close();
			resolve({ totalMs: performance.now() - t0, renderMs: t1 - t0, htmlChars: result.html.length });
		};
		channel.port2.postMessage(null);
	});
	performance.mark('render-bench-end');
	return timing;
}

export const pageApi = { prepare, stream, streamSync, oneShot };
export type PageApi = typeof pageApi;
(globalThis as unknown as { phosphorRenderBench: PageApi }).phosphorRenderBench = pageApi;
