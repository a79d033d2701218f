import fc from 'fast-check';

/**
 * Every property test replays one fixed seed unless asked otherwise, so that a run passes or fails
 * by the code, not by luck: `FC_SEED=random` explores new cases, `FC_SEED=<n>` replays the seed a
 * failure printed. A property that names its own seed keeps it.
 */
const seed = process.env.FC_SEED ?? '20261127';
if (seed !== 'random') {
	const value = Number(seed);
	if (!Number.isInteger(value)) throw new Error(`FC_SEED must be an integer or "random", not "${seed}"`);
	fc.configureGlobal({ ...fc.readConfigureGlobal(), seed: value });
}
