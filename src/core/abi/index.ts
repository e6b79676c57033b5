export * from './types.js';
export * from './package.js';
export * from './bcs.js';
