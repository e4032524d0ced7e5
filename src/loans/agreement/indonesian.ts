import { labelOf } from '../../i18n/i18n.js';

/** Indonesian wording for the agreement: dates, times in WIB, and labels for stored codes. */

const MONTHS = ['Januari', 'Februari', 'Maret', 'April', 'Mei', 'Juni', 'Juli', 'Agustus', 'September', 'Oktober', 'November', 'Desember'];
const WIB_OFFSET_MS = 7 * 3600_000;

/** `2027-07-12` -> `12 Juli 2027`. */
export function tanggal(date: string): string {
  const [y, m, d] = date.split('-').map(Number);
  return `${d} ${MONTHS[m - 1]} ${y}`;
}

/** A moment as its calendar date in Western Indonesia Time (UTC+7): `YYYY-MM-DD`. */
export function wibDate(at: Date): string {
  return new Date(at.getTime() + WIB_OFFSET_MS).toISOString().slice(0, 10);
}

/** `12 Juli 2027 pukul 09.30 WIB` (Indonesian writes times with a period). */
export function waktu(at: Date): string {
  const wib = new Date(at.getTime() + WIB_OFFSET_MS).toISOString();
  return `${tanggal(wib.slice(0, 10))} pukul ${wib.slice(11, 13)}.${wib.slice(14, 16)} WIB`;
}

// The labels of stored codes come from the message catalogue (src/i18n/locales), which the
// console shares; the agreement is always in Indonesian.

/** The guardian's relation to the student; free text that is not one of the codes stays as written. */
export const hubungan = (relation: string) => labelOf('id', 'relation', relation.toLowerCase()) ?? relation;

export const caraPersetujuan = (method: 'paper' | 'digital') => labelOf('id', 'consent_method', method) ?? method;

export const jenisPerangkat = (category: string) => labelOf('id', 'device_category', category) ?? category;

/** A kit item's key (`charger`, `power_cable`) as a checklist label; unknown keys are spelled out. */
export function kelengkapan(item: string): string {
  const known = labelOf('id', 'accessory', item.toLowerCase());
  if (known) return known;
  const words = item.replace(/[_-]+/g, ' ').trim();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

const CONDITIONS: Record<string, string> = { new: 'Baru', good: 'Baik', fair: 'Cukup', poor: 'Kurang baik', broken: 'Rusak' };
/** A device's condition as recorded at a return. */
export const kondisi = (condition: string) => CONDITIONS[condition] ?? condition;

const NEXT_STATUSES: Record<string, string> = {
  in_stock: 'Kembali ke stok sekolah',
  in_repair: 'Dikirim untuk perbaikan',
  retired: 'Dihapus dari pemakaian',
};
/** Where a returned device went next. */
export const tujuanPerangkat = (status: string) => NEXT_STATUSES[status] ?? status;

const CHARGE_STATUSES: Record<string, string> = { open: 'Belum dibayar', paid: 'Lunas', waived: 'Dibebaskan' };
export const statusTagihan = (status: string) => CHARGE_STATUSES[status] ?? status;

/** Whole rupiah as Indonesians write it: `Rp 1.250.000`. */
export const rupiah = (amount: number) => `Rp ${Math.round(amount).toString().replace(/\B(?=(\d{3})+(?!\d))/g, '.')}`;
