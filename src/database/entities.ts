import { ApiKey } from '../api-keys/api-key.entity.js';
import { ProcurementBatch } from '../devices/batches/procurement-batch.entity.js';
import { Device } from '../devices/device.entity.js';
import { DeviceModel } from '../devices/models/device-model.entity.js';
import { Loan } from '../loans/loan.entity.js';
import { Program } from '../programs/program.entity.js';
import { School } from '../schools/school.entity.js';
import { Student } from '../students/student.entity.js';
import { User } from '../users/user.entity.js';

/** Every entity, listed once for the app's and the migration CLI's DataSource. */
export const entities = [School, User, ApiKey, DeviceModel, ProcurementBatch, Device, Student, Program, Loan];
