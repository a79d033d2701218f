import { z } from 'zod';

export const Username = z
	.string()
	.trim()
	.min(1, 'Enter a username.')
	.max(64, 'A username has at most 64 characters.')
	.regex(/^[A-Za-z0-9._-]+$/, 'A username may use letters, digits, dot, underscore and dash.');

/** For new passwords only; sign-in accepts whatever was set, so a policy change locks nobody out. */
export const NewPassword = z
	.string()
	.min(8, 'A password has at least 8 characters.')
	.max(256, 'A password has at most 256 characters.');

export const LoginInput = z.object({
	username: z.string().trim().min(1, 'Enter your username.').max(64),
	password: z.string().min(1, 'Enter your password.').max(256)
});
export type LoginInput = z.infer<typeof LoginInput>;

export const SetupInput = z.object({
	setupCode: z.string().trim().min(1, 'Enter the setup code from the server log.').max(64),
	username: Username,
	password: NewPassword
});
export type SetupInput = z.infer<typeof SetupInput>;
