import { Platform1764300000000 } from './1764300000000-platform.js';
import { DeviceStock1764400000000 } from './1764400000000-device-stock.js';

/** Every migration, in order. Listed explicitly so the app, the CLI and the tests run the same set. */
export const migrations = [Platform1764300000000, DeviceStock1764400000000];
