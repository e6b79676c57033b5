export * from './http.js';
export * from './binding.js';
