import type { FailureCounter } from './faults';
import type { StatsRecorder } from './stats';

/** State shared by the routes of one simulator instance. */
export interface SimulatorContext {
	readonly stats: StatsRecorder;
	readonly failures: FailureCounter;
	/** Used when a request carries no `seed`. */
	readonly seed: number;
	readonly requireKey: string | undefined;
	/** Remaining 404 answers per generation id (lookup-404 directive / lookupMisses option). */
	readonly lookupMisses: Map<string, number>;
	readonly defaultLookupMisses: number;
	readonly log: (line: string) => void;
	/** True once close() started: connections cut by it are not client aborts. */
	isClosing(): boolean;
}
