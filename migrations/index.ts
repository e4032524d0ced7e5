import { Platform1764300000000 } from './1764300000000-platform.js';
import { DeviceStock1764400000000 } from './1764400000000-device-stock.js';
import { Stocktakes1764500000000 } from './1764500000000-stocktakes.js';
import { StudentsPrograms1764600000000 } from './1764600000000-students-programs.js';
import { Loans1764700000000 } from './1764700000000-loans.js';
import { Notifications1764800000000 } from './1764800000000-notifications.js';
import { ReportIndexes1764900000000 } from './1764900000000-report-indexes.js';
import { DataRights1765000000000 } from './1765000000000-data-rights.js';
import { StudentImport1765100000000 } from './1765100000000-student-import.js';
import { ReportPerformance1765200000000 } from './1765200000000-report-performance.js';
import { LoanSignatures1766100000000 } from './1766100000000-loan-signatures.js';
import { AuditEventCanonical1766100001000 } from './1766100001000-audit-event-canonical.js';
import { LoginAttempts1766200000000 } from './1766200000000-login-attempts.js';
import { SessionRevocation1766200001000 } from './1766200001000-session-revocation.js';
import { VerifyThrottle1766200002000 } from './1766200002000-verify-throttle.js';
import { ActivityTallyDeltas1766600000000 } from './1766600000000-activity-tally-deltas.js';

/** Every migration, in order. Listed explicitly so the app, the CLI and the tests run the same set. */
export const migrations = [Platform1764300000000, DeviceStock1764400000000, Stocktakes1764500000000, StudentsPrograms1764600000000, Loans1764700000000, Notifications1764800000000, ReportIndexes1764900000000, DataRights1765000000000, StudentImport1765100000000, ReportPerformance1765200000000, LoanSignatures1766100000000, AuditEventCanonical1766100001000, LoginAttempts1766200000000, SessionRevocation1766200001000, VerifyThrottle1766200002000, ActivityTallyDeltas1766600000000];
