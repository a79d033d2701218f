import type { IncomingMessage } from 'node:http';
import { describe, expect, it } from 'vitest';
import { clientAddress } from './client-address';

const request = (remoteAddress: string, forwarded?: string) =>
	({ socket: { remoteAddress }, headers: forwarded === undefined ? {} : { 'x-forwarded-for': forwarded } }) as unknown as IncomingMessage;

describe('clientAddress', () => {
	it('is the socket address unless the proxy is trusted: a client cannot pick its own address', () => {
		expect(clientAddress(request('10.0.0.5', '1.2.3.4'), false)).toBe('10.0.0.5');
	});

	it('behind a trusted proxy, is the last hop the proxy appended, not what the client claimed before it', () => {
		expect(clientAddress(request('10.0.0.5', 'spoofed, 203.0.113.7'), true)).toBe('203.0.113.7');
		expect(clientAddress(request('10.0.0.5'), true)).toBe('10.0.0.5');
	});
});
