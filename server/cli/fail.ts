/** A mistake in the data, not the command line: a message on stderr and exit 1, no usage text. */
export function fail(message: string): number {
	process.stderr.write(`admin: ${message}\n`);
	return 1;
}
