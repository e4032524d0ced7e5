import { statement } from '../../database/statements.js';

/** A loan's drawn signature, stored in the transaction. */
export const SIGNATURE_INSERT = statement(
  'loan_signature_insert',
  `INSERT INTO loan_signatures (loan_id, school_id, student_id, png, sha256, byte_size, width, height, recorded_by)
   VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
);

/** The loan (for its access check) and its signature, if any: png null once cleared, sha256 null when never drawn. */
export const SIGNATURE_OF_LOAN = statement<{ school_id: string; student_id: string; png: Buffer | null; sha256: Buffer | null }>(
  'loan_signature_of_loan',
  `SELECT l.school_id, l.student_id, s.png, s.sha256 FROM loans l LEFT JOIN loan_signatures s ON s.loan_id = l.id WHERE l.id = $1`,
);

export const SIGNATURE_FOR_DOCUMENT = statement<{ png: Buffer | null; sha256: Buffer }>(
  'loan_signature_for_document',
  `SELECT png, sha256 FROM loan_signatures WHERE loan_id = $1`,
);
