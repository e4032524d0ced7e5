import { describe, expect, it } from '@jest/globals';
import { responseContract } from '../helpers/response-contract.js';

// The check every HTTP suite runs on every answer (test/helpers/test-app.ts). These cases prove it
// can fail: a check that passes everything would make those suites' silence worthless.
const school = {
  id: '0b9a6f3e-2c41-4d3f-9b1e-6f1f4d2a9c7e',
  npsn: '10260001',
  name: 'SMP Negeri 1 Medan',
  level: 'SMP',
  district: 'Medan Baru',
  address: null,
  active: true,
  version: 1,
  createdAt: '2027-01-05T02:00:00.000Z',
  updatedAt: '2027-01-05T02:00:00.000Z',
};
const JSON_TYPE = 'application/json; charset=utf-8';
const get = (status: number, body: unknown, type = JSON_TYPE) => responseContract().check('GET', '/api/v1/schools/0b9a6f3e-2c41-4d3f-9b1e-6f1f4d2a9c7e?x=1', status, type, body);

describe('the response contract check', () => {
  it('passes an answer that matches the document', () => {
    expect(get(200, school)).toEqual([]);
  });

  it('fails an undocumented field', () => {
    expect(get(200, { ...school, internalNote: 'x' })).toEqual([expect.stringMatching(/GET \/api\/v1\/schools\/\{id\} -> 200: body must NOT have additional properties 'internalNote'/)]);
  });

  it('fails a wrong type, a value outside an enum, a missing required field and a null where none is allowed', () => {
    expect(get(200, { ...school, version: '1' })).toEqual([expect.stringMatching(/body\/version must be number/)]);
    expect(get(200, { ...school, level: 'TK' })).toEqual([expect.stringMatching(/body\/level must be equal to one of the allowed values/)]);
    const { npsn: _, ...withoutNpsn } = school;
    expect(get(200, withoutNpsn)).toEqual([expect.stringMatching(/must have required property 'npsn'/)]);
    expect(get(200, { ...school, name: null }).join()).toMatch(/body\/name must be string/);
  });

  it('fails an undocumented status and an undocumented content type', () => {
    expect(get(418, {})).toEqual([expect.stringMatching(/status 418 is not documented for this operation/)]);
    expect(get(200, 'id,npsn', 'text/csv')).toEqual([expect.stringMatching(/answered text\/csv, but the document gives only application\/json/)]);
  });

  it('checks problems against their documented subtype, codes included', () => {
    const problem = { type: 'urn:laptop-loans:problem:not-found', title: 'Not found', status: 404, detail: 'The school was not found', code: 'school_not_found', params: {} };
    expect(get(404, problem, 'application/problem+json')).toEqual([]);
    expect(get(404, { ...problem, code: 'no_such_code' }, 'application/problem+json').join()).toMatch(/body\/code must be equal to one of the allowed values/);
    expect(get(404, { ...problem, currentStatus: 'x' }, 'application/problem+json').join()).toMatch(/additional properties 'currentStatus'/);
  });

  it('leaves paths the document does not serve alone', () => {
    expect(responseContract().check('GET', '/nowhere', 404, JSON_TYPE, {})).toEqual([]);
  });
});
