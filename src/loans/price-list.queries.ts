import { statement } from '../database/statements.js';

/** A program's price list: what a return or a loss charges, in whole rupiah (bigint, a string from pg). */
export interface PriceRow {
  code: string;
  description: string;
  amount: string;
  waivable_for_social_aid: boolean;
}

export const PRICE_LIST_PROGRAM = statement<{ id: string }>('price_list_program', `SELECT id FROM programs WHERE id = $1`);

/** The program locked while its price list is replaced, so two replacements do not interleave. */
export const PRICE_LIST_PROGRAM_LOCK = statement<{ id: string }>('price_list_program_lock', `SELECT id FROM programs WHERE id = $1 FOR UPDATE`);

export const PRICE_LIST_ITEMS = statement<PriceRow>(
  'price_list_items',
  `SELECT code, description, amount, waivable_for_social_aid FROM program_price_items WHERE program_id = $1 ORDER BY code`,
);

export const PRICE_LIST_DELETE = statement('price_list_delete', `DELETE FROM program_price_items WHERE program_id = $1`);

export const PRICE_LIST_INSERT_ITEM = statement(
  'price_list_insert_item',
  `INSERT INTO program_price_items (program_id, code, description, amount, waivable_for_social_aid) VALUES ($1, $2, $3, $4, $5)`,
);

/** The prices a return charges from (damage items and `missing_<item>`), in no particular order. */
export const PRICE_LIST_FOR_RETURN = statement<{ code: string; description: string; amount: string }>(
  'price_list_for_return',
  `SELECT code, description, amount FROM program_price_items WHERE program_id = $1`,
);

/** What a lost or stolen device's loan is charged, if the program prices it. */
export const PRICE_LIST_REPLACEMENT = statement<{ description: string; amount: string }>(
  'price_list_replacement',
  `SELECT description, amount FROM program_price_items WHERE program_id = $1 AND code = 'replacement'`,
);
