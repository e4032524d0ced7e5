import { expect } from '@jest/globals';
import { randomInt } from 'node:crypto';
import type { TestUser } from '../helpers/factories.js';
import type { TestApp } from '../helpers/test-app.js';
import { unique } from '../helpers/unique.js';

/** Helpers for the device stock tests: everything goes through the API as a program admin. */

export const uniq = unique;

export interface ModelBody {
  id: string;
  manufacturer: string;
  model: string;
  category: string;
  version: number;
}

export interface BatchBody {
  id: string;
  contractRef: string;
  modelId: string;
  unitCost: number;
  quantity: number;
  totalCost: number;
}

export interface DeviceBody {
  id: string;
  assetTag: string;
  serialNumber: string;
  modelId: string;
  batchId: string;
  schoolId: string | null;
  status: string;
  condition: string;
  retiredReason: string | null;
  notes: string | null;
  version: number;
}

export interface RepairBody {
  id: string;
  deviceId: string;
  schoolId: string | null;
  outcome: string | null;
  closedAt: string | null;
}

export async function newModel(t: TestApp, admin: TestUser, overrides: Record<string, unknown> = {}): Promise<ModelBody> {
  const res = await t
    .http()
    .post('/api/v1/device-models')
    .set('authorization', admin.auth)
    .send({ manufacturer: 'Acer', model: `Chromebook ${uniq()}`, category: 'chromebook', ...overrides });
  expect(res.status).toBe(201);
  return res.body;
}

export async function newBatch(t: TestApp, admin: TestUser, modelId: string, overrides: Record<string, unknown> = {}): Promise<BatchBody> {
  const res = await t
    .http()
    .post('/api/v1/procurement-batches')
    .set('authorization', admin.auth)
    .send({ contractRef: `SPK/${uniq()}/DISDIK/2027`, fundingSource: 'APBD 2027', receivedOn: '2027-01-15', unitCost: 4_500_000, quantity: 10, modelId, ...overrides });
  expect(res.status).toBe(201);
  return res.body;
}

export async function newDevice(
  t: TestApp,
  admin: TestUser,
  batch: { id: string; modelId: string },
  overrides: Record<string, unknown> = {},
): Promise<DeviceBody> {
  const n = uniq();
  const res = await t
    .http()
    .post('/api/v1/devices')
    .set('authorization', admin.auth)
    .send({ assetTag: `MDN-LPT-${n}`, serialNumber: `SN${n}`, modelId: batch.modelId, batchId: batch.id, ...overrides });
  expect(res.status).toBe(201);
  return res.body;
}

/** The device row as the database holds it, for "nothing changed" comparisons. */
export async function deviceRow(t: TestApp, id: string): Promise<Record<string, unknown>> {
  const { rows } = await t.db.query(`SELECT to_jsonb(d) AS row FROM devices d WHERE id = $1`, [id]);
  return rows[0]?.row;
}

/** Rows in the tables a device write touches: a refused write must leave all of them alone. */
export async function writeCounts(t: TestApp): Promise<Record<string, number>> {
  const { rows } = await t.db.query(`
    SELECT (SELECT count(*) FROM devices)::int AS devices,
           (SELECT count(*) FROM device_movements)::int AS movements,
           (SELECT count(*) FROM device_repairs)::int AS repairs,
           (SELECT count(*) FROM device_models)::int AS models,
           (SELECT count(*) FROM procurement_batches)::int AS batches,
           (SELECT count(*) FROM audit_events)::int AS audit`);
  return rows[0];
}
