/** The command line was wrong: the message says how, and the usage text follows it. */
export class UsageError extends Error {
	override name = 'UsageError';
}
