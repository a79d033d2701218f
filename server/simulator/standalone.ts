import { startSimulator } from './server';

/** `npm run simulator`: the simulator on its own port, for the bench and for manual runs. */
const simulator = await startSimulator({
	port: Number(process.env.SIMULATOR_PORT ?? 8788),
	host: process.env.SIMULATOR_HOST ?? '127.0.0.1',
	// Per-request lines only on demand: the bench pushes thousands of requests through here.
	...(process.env.SIMULATOR_LOG ? { log: (line: string) => console.log(line) } : {})
});
console.log(`Simulator listening on ${simulator.url}`);

let stopping = false;
function stop(signal: string): void {
	if (stopping) return;
	stopping = true;
	console.log(`Simulator stopping (${signal})`);
	simulator.close().then(
		() => process.exit(0),
		(error: unknown) => {
			console.error(error);
			process.exit(1);
		}
	);
}
process.on('SIGINT', () => stop('SIGINT'));
process.on('SIGTERM', () => stop('SIGTERM'));
