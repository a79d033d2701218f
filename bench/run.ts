import { ledgerBench } from './ledger.bench';
import { openConversationBench } from './open-conversation.bench';
import { renderBench } from './render.bench';
import { streamMemoryBench } from './stream-memory.bench';
import { syncBench } from './sync.bench';
import { throughputBench } from './throughput.bench';
import { ttftBench } from './ttft.bench';

/** `npm run bench [name…]`: runs the named benchmarks (all by default); each prints figure and target. */
const BENCHES: Record<string, () => Promise<void>> = {
	ttft: ttftBench,
	throughput: throughputBench,
	'stream-memory': streamMemoryBench,
	ledger: ledgerBench,
	render: renderBench,
	'open-conversation': openConversationBench,
	sync: syncBench
};

const wanted = process.argv.slice(2);
const names = wanted.length ? wanted : Object.keys(BENCHES);
for (const name of names) {
	const bench = BENCHES[name];
	if (!bench) {
		console.error(`unknown benchmark "${name}"; known: ${Object.keys(BENCHES).join(', ')}`);
		process.exit(2);
	}
	console.log(`\n== ${name} ==`);
	await bench();
}
process.exit(0);
