/** Simulated containers: processes with real streams, a small honest command set, an in-memory filesystem. */
export { SimContainer, StartError, type ContainerSpec, type LogEntry, type LogQuery } from './container.js';
export { SimProcess, ExitStatus, type Program, type ProgramContext, type Signal, type SpawnOptions } from './process.js';
export { SimFilesystem } from './filesystem.js';
export { PROGRAMS, lookup } from './programs.js';
export { sh } from './shell.js';
export { imageDefaults, imageRepository } from './images.js';
