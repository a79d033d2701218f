/**
 * Portkey 1.15's stream transformer sleeps 25 ms before it forwards the first event of every
 * streamed reply (`if (first) { first = false; await new Promise((r) => setTimeout(r, 25)); }`,
 * minified). The bench measures Portkey as shipped and, as a second figure, with only that sleep
 * removed: this load hook rewrites it to nothing as the module is loaded.
 */
const ENTRY = '/@portkey-ai/gateway/build/start-server.js';
const FIRST_EVENT_SLEEP = /await new Promise\(\((\w)=>setTimeout\(\1,25\)\)\)/g;

export async function load(url, context, nextLoad) {
	const loaded = await nextLoad(url, context);
	if (!url.endsWith(ENTRY)) return loaded;
	const source = String(loaded.source);
	const found = source.match(FIRST_EVENT_SLEEP)?.length ?? 0;
	// Another Portkey build would move the sleep: fail rather than measure it with the delay in.
	if (found !== 1) throw new Error(`portkey-without-delay: expected the 25 ms first-event sleep once in ${url}, found it ${found} times`);
	return { ...loaded, source: source.replace(FIRST_EVENT_SLEEP, 'void 0') };
}
