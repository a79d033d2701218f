import type { ServerResponse } from 'node:http';
import type { Services } from '../services';

const BREAKER_VALUE = { closed: 0, 'half-open': 1, open: 2 } as const;

/** Prometheus text format: process figures, running replies, circuit states. */
export function metrics(res: ServerResponse, services: Services): void {
	const memory = process.memoryUsage();
	const cpu = process.cpuUsage();
	const lines = [
		'# HELP process_resident_memory_bytes Resident memory size in bytes.',
		'# TYPE process_resident_memory_bytes gauge',
		`process_resident_memory_bytes ${memory.rss}`,
		'# HELP nodejs_heap_used_bytes V8 heap in use.',
		'# TYPE nodejs_heap_used_bytes gauge',
		`nodejs_heap_used_bytes ${memory.heapUsed}`,
		'# HELP nodejs_external_memory_bytes Memory of C++ objects bound to JS (buffers, sockets).',
		'# TYPE nodejs_external_memory_bytes gauge',
		`nodejs_external_memory_bytes ${memory.external + memory.arrayBuffers}`,
		'# HELP process_cpu_seconds_total User and system CPU time.',
		'# TYPE process_cpu_seconds_total counter',
		`process_cpu_seconds_total ${(cpu.user + cpu.system) / 1e6}`,
		'# HELP phosphor_generations_running Replies being generated now.',
		'# TYPE phosphor_generations_running gauge',
		`phosphor_generations_running ${services.jobs.runningCount}`,
		'# HELP phosphor_upstream_streams_open Upstream streams past their first token now.',
		'# TYPE phosphor_upstream_streams_open gauge',
		`phosphor_upstream_streams_open ${services.orchestrator.streamsOpen}`,
		'# HELP phosphor_breaker_state Circuit per model: 0 closed, 1 half-open, 2 open.',
		'# TYPE phosphor_breaker_state gauge',
		...services.orchestrator.breakers.snapshot().map((b) => `phosphor_breaker_state{model=${JSON.stringify(b.model)}} ${BREAKER_VALUE[b.state]}`)
	];
	res.writeHead(200, { 'Content-Type': 'text/plain; version=0.0.4; charset=utf-8', 'Cache-Control': 'no-store' });
	res.end(lines.join('\n') + '\n');
}
