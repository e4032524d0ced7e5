import type { ChainHead } from '../../audit/audit-chain-export.js';

/** The pack's README.txt: what is in it and how to check it offline, in Indonesian, then English. */
export function evidenceReadme(p: { program: { code: string; name: string }; school: { npsn: string; name: string } | null; asOf: string; head: ChainHead | null }): string {
  const scope = p.school ? `${p.school.name} (NPSN ${p.school.npsn})` : 'seluruh sekolah / all schools';
  const head = p.head ? `blok ${p.head.blockNo}, hash ${p.head.hash}` : 'belum ada blok tersegel / no sealed block yet';
  return `PAKET BUKTI AUDIT / EVIDENCE PACK
Program: ${p.program.name} (${p.program.code})
Cakupan / scope: ${scope}
Per tanggal / as of: ${p.asOf}
Kepala rantai audit / audit chain head: ${head}

ISI
  summary.pdf                 ringkasan untuk kunjungan audit
  reports/*.csv               setiap laporan (cakupan, rekonsiliasi stok, keterlambatan, kehilangan, aktivitas)
  registers/agreements.csv    daftar perjanjian (nomor, siswa, perangkat, status, tanggal, URL verifikasi)
  registers/charges.csv       buku tagihan
  audit/chain-head.json       kepala rantai audit dan hasil verifikasinya saat paket dibuat
  audit/segment.ndjson        potongan rantai audit untuk diverifikasi ulang tanpa server
  pack.json                   siapa membuat paket ini, kapan, untuk apa
  MANIFEST.sha256             SHA-256 setiap berkas di atas

CARA MEMERIKSA (tanpa koneksi ke server)
  1. sha256sum -c MANIFEST.sha256
     Setiap baris harus "OK": tidak ada berkas yang berubah.
  2. node verify-evidence-pack.mjs .
     Skrip dari repositori layanan (scripts/verify-evidence-pack.mjs, Node.js 20+, tanpa
     dependensi). Skrip menghitung ulang hash setiap peristiwa dan setiap blok, memeriksa
     rantainya, dan mencocokkan blok terakhir dengan kepala rantai di audit/chain-head.json.
  3. Bandingkan hash kepala rantai dengan catatan yang disimpan di luar sistem (misalnya
     laporan audit sebelumnya): hanya itu yang membuktikan rantai tidak ditulis ulang seluruhnya.

HOW TO CHECK (offline)
  1. sha256sum -c MANIFEST.sha256          every line must say OK
  2. node verify-evidence-pack.mjs .       re-hashes every event and block of the segment
  3. compare the head hash with one recorded outside the system (docs/evidence-pack.md)
`;
}
