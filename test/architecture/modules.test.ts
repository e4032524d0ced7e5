import { describe, expect, it } from '@jest/globals';
import { moduleViolations, readModules } from './modules.js';
import { readSources } from './ownership.js';

const root = new URL('../../', import.meta.url).pathname;
const sources = readSources(root);

describe('modules that tell the truth (docs/architecture.md)', () => {
  it('reads the modules (a search that finds nothing proves nothing)', () => {
    const modules = readModules(sources);
    expect(modules.map((m) => m.name)).toEqual(expect.arrayContaining(['LoansModule', 'DevicesModule', 'ProgramsModule', 'PrivacyModule']));
    expect(modules.find((m) => m.name === 'LoansModule')!.imports).toEqual(expect.arrayContaining(['DevicesModule', 'ProgramsModule']));
  });

  it('finds no internal of another module imported, no export unused and no import for nothing', () => {
    expect(moduleViolations(sources)).toEqual([]);
  });
});
