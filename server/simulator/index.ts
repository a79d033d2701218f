export { startSimulator, type Simulator, type SimulatorOptions } from './server';
export type { GenerationRecord, GenerationStatus, SimulatorStats } from './stats';
export { SIM_MODELS, type SimModel } from './models';
export type { Directives } from './directives';
