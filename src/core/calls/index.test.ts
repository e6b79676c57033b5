import { describe, expect, it } from 'vitest';
import { FUNCTIONS } from '../abi/package.js';
import * as calls from './index.js';
import { argumentKey } from './arguments.js';

describe('calls index', () => {
  it('has a builder for every ABI function (camelCase name in the module namespace)', () => {
    const missing = FUNCTIONS.filter((fn) => {
      const ns = (calls as unknown as Record<string, Record<string, unknown>>)[fn.module];
      return typeof ns?.[argumentKey(fn.name)] !== 'function';
    }).map((fn) => `${fn.module}::${fn.name}`);
    expect(missing).toEqual([]);
  });
});
