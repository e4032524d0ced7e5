import type { AuditRow } from '../../audit/audit.queries.js';
import { statement } from '../../database/statements.js';
import type { ConsentRow } from './dto/privacy.dto.js';
import type { toAccessLogEntry } from './student-access-log.js';

/**
 * What a student's data export reads (DataExportService). `$1` is the student's id, or the ids of
 * records that belong to them (their loans; for the audit events, every id of theirs); never a
 * school or a family card, so no other student's data can come along.
 *
 * Most rows come as one JSON object `j`: to_jsonb renders dates as YYYY-MM-DD and times as
 * ISO-8601, whatever the column type.
 */
export interface ExportJson {
  j: Record<string, unknown>;
}

export const DATA_EXPORT_CONSENTS = statement<ConsentRow>(
  'data_export_consents',
  `SELECT * FROM guardian_consents WHERE student_id = $1 ORDER BY given_at, id`,
);

export const DATA_EXPORT_APPLICATIONS = statement<ExportJson>(
  'data_export_applications',
  `SELECT to_jsonb(a) AS j FROM applications a WHERE student_id = $1 ORDER BY applied_at, id`,
);

export const DATA_EXPORT_LOANS = statement<ExportJson>('data_export_loans', `SELECT to_jsonb(l) AS j FROM loans l WHERE student_id = $1 ORDER BY issued_at, id`);

/** The drawn signatures as stored: the image itself (base64) while it is kept, and its hash. */
export const DATA_EXPORT_SIGNATURES = statement<ExportJson>(
  'data_export_signatures',
  `SELECT jsonb_build_object('loan_id', loan_id, 'sha256', encode(sha256, 'hex'), 'png_base64', translate(encode(png, 'base64'), E'\\n', ''),
          'byte_size', byte_size, 'width', width, 'height', height, 'recorded_by', recorded_by, 'recorded_at', recorded_at,
          'anonymised_at', anonymised_at) AS j
   FROM loan_signatures WHERE student_id = $1`,
);

export const DATA_EXPORT_RETURNS = statement<ExportJson>('data_export_returns', `SELECT to_jsonb(r) AS j FROM loan_returns r WHERE loan_id = ANY($1::uuid[])`);

export const DATA_EXPORT_EXTENSIONS = statement<ExportJson>(
  'data_export_extensions',
  `SELECT to_jsonb(e) AS j FROM loan_extensions e WHERE loan_id = ANY($1::uuid[]) ORDER BY extended_at, id`,
);

export const DATA_EXPORT_LOSSES = statement<ExportJson>('data_export_losses', `SELECT to_jsonb(x) AS j FROM loan_losses x WHERE loan_id = ANY($1::uuid[])`);

/** Only what went (or was to go) to the guardian: messages to the school are not about the guardian. */
export const DATA_EXPORT_NOTIFICATIONS = statement<ExportJson>(
  'data_export_notifications',
  `SELECT jsonb_build_object('id', id, 'kind', kind, 'loan_id', loan_id, 'level', level, 'recipient_type', recipient_type,
          'recipient', recipient, 'payload', payload, 'status', status, 'created_at', created_at, 'sent_at', sent_at) AS j
   FROM outbox WHERE loan_id = ANY($1::uuid[]) AND recipient_type = 'guardian' ORDER BY created_at, id`,
);

export const DATA_EXPORT_CHARGES = statement<ExportJson>(
  'data_export_charges',
  `SELECT to_jsonb(c) AS j FROM charges c WHERE student_id = $1 ORDER BY created_at, id`,
);

export const DATA_EXPORT_AUDIT_EVENTS = statement<AuditRow>(
  'data_export_audit_events',
  `SELECT id, occurred_at, actor_type, actor_id, actor_role, action, entity_type, entity_id, school_id, before, after, request_id, hash
   FROM audit_events WHERE entity_id = ANY($1::text[]) ORDER BY id`,
);

export const DATA_EXPORT_ACCESS_LOG = statement<Parameters<typeof toAccessLogEntry>[0]>(
  'data_export_access_log',
  `SELECT id::text, occurred_at, actor_type, actor_id, actor_role, student_id, school_id, operation, request_id
   FROM student_access_log WHERE student_id = $1 ORDER BY occurred_at, id`,
);

export const DATA_EXPORT_IMPORT_FINGERPRINTS = statement<ExportJson>(
  'data_export_import_fingerprints',
  `SELECT jsonb_build_object('import_id', import_id, 'school_id', school_id, 'key_id', key_id, 'name_fp', name_fp::text,
          'birth_fp', birth_fp::text, 'card_fp', card_fp::text, 'accepted', accepted, 'recorded_at', recorded_at) AS j
   FROM student_import_fingerprints WHERE student_id = $1 ORDER BY recorded_at, import_id`,
);
