import { describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
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

  it('are the ones docs/architecture.md lists, with the same imports and exports', () => {
    const page = readFileSync(`${root}docs/architecture.md`, 'utf8');
    const documented = [...page.matchAll(/^\| (\w+Module)(?: \(global\))? \| (.*?) \| (.*?) \|$/gm)].map(([, name, imports, exports]) => ({
      name,
      imports: [...imports.matchAll(/(?:^|\), |^)(\w+) \(/g)].map((m) => `${m[1]}Module`).sort(),
      exports: [...exports.matchAll(/`(\w+)`/g)].map((m) => m[1]).sort(),
    }));
    const modules = readModules(sources);
    expect(documented.length).toBeGreaterThan(5);
    for (const row of documented) {
      const module = modules.find((m) => m.name === row.name);
      expect({ name: row.name, imports: [...(module?.imports ?? [])].sort(), exports: [...(module?.exports ?? [])].sort() }).toEqual(row);
    }
  });

  it('finds no internal of another module imported, no export unused and no import for nothing', () => {
    expect(moduleViolations(sources)).toEqual([]);
  });

  it('catches an internal imported across modules, a provider used without its module, an unused export', () => {
    const stray = [
      ...sources,
      { path: 'src/notifications/stray.ts', text: "import { SET_DEVICE_STATUS } from '../devices/device-state.js';\n" },
      { path: 'src/worklists/stray.ts', text: "import { DeviceStates } from '../devices/device-state.js';\nimport { type LockedDevice } from '../devices/device-state.js';\n" },
      {
        path: 'src/schools/schools.module.ts',
        text: "@Module({ imports: [UsersModule], controllers: [SchoolsController], providers: [SchoolsService], exports: [SchoolsService] })\nexport class SchoolsModule {}\n",
      },
    ].filter((f, i, all) => all.findLastIndex((g) => g.path === f.path) === i);
    expect(moduleViolations(stray).sort()).toEqual([
      'SchoolsModule exports SchoolsService, which no other module uses',
      'SchoolsModule imports UsersModule and uses none of its exports',
      'src/notifications/stray.ts: imports SET_DEVICE_STATUS from src/devices/device-state.ts, an internal of DevicesModule (use a provider it exports)',
      'src/worklists/stray.ts: uses DeviceStates of DevicesModule, which WorklistsModule does not import',
    ]);
  });
});
