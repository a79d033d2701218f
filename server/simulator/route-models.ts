import type { ServerResponse } from 'node:http';
import { sendJson } from './http-io';
import { SIM_MODELS } from './models';

export function handleModels(res: ServerResponse): void {
	sendJson(res, 200, { data: SIM_MODELS });
}
