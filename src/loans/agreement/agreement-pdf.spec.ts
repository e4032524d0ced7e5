import { describe, expect, it } from '@jest/globals';
import { getDocument } from 'pdfjs-dist/legacy/build/pdf.mjs';
import { type AgreementDocument, pdfText, renderAgreementPdf } from './agreement-pdf.js';

const agreement = (overrides: Partial<AgreementDocument> = {}): AgreementDocument => ({
  agreementNumber: 'MDN-2027-000123',
  qrPayload: 'http://localhost:3000/api/v1/agreements/MDN-2027-000123/verify',
  program: { code: 'MDN', name: 'Laptop Pelajar 2027' },
  school: { name: 'SMP Negeri 1 Medan', npsn: '10260001', district: 'Medan Baru' },
  student: { fullName: 'Putri Ayu Lestari', nisn: '0071234567', grade: 8, className: null },
  guardian: { name: 'Sri Wahyuni', relation: 'mother', phone: null },
  consent: { method: 'digital', signedAt: new Date('2027-01-20T02:30:00Z') },
  device: { assetTag: 'MDN-LPT-000123', serialNumber: 'NXK8ESN00123456', manufacturer: 'Acer', model: 'Chromebook 314', category: 'chromebook', accessories: {} },
  issuedOn: '2027-01-20',
  issuedBy: null,
  dueDate: '2027-06-30',
  extensions: [],
  terms: { version: 3, text: 'Perangkat tetap milik daerah.' },
  signature: null,
  ...overrides,
});

async function pages(content: Buffer): Promise<string[]> {
  const pdf = await getDocument({ data: new Uint8Array(content), verbosity: 0 }).promise;
  const texts: string[] = [];
  for (let i = 1; i <= pdf.numPages; i++) {
    const items = (await (await pdf.getPage(i)).getTextContent()).items as { str?: string }[];
    texts.push(items.map((item) => item.str ?? '').join(' ').replace(/\s+/g, ' '));
  }
  await pdf.destroy();
  return texts;
}

describe('renderAgreementPdf', () => {
  it('carries long terms over several pages without losing a clause, numbering every page', async () => {
    const clauses = Array.from({ length: 40 }, (_, i) => `Pasal ${i + 1}. Pihak Kedua menjaga perangkat dengan baik dan tidak memindahtangankan, menyewakan atau menggadaikannya kepada pihak lain.`);
    const texts = await pages(await renderAgreementPdf(agreement({ terms: { version: 3, text: clauses.join('\n\n') } })));
    expect(texts.length).toBeGreaterThan(2);
    // A clause may run across a page break: read the pages as one, without their footers.
    const all = texts.join(' ').replace(/ ?Perjanjian Pinjam Pakai Nomor \S+ Halaman \d+ dari \d+ Periksa keaslian: \S+/g, '');
    for (const clause of clauses) expect(all).toContain(clause);
    texts.forEach((text, i) => {
      expect(text).toContain('Perjanjian Pinjam Pakai Nomor MDN-2027-000123');
      expect(text).toContain(`Halaman ${i + 1} dari ${texts.length}`);
    });
    // The signature blocks close the document, after the last clause.
    expect(texts.at(-1)).toContain('Stempel Sekolah');
    expect(all.indexOf('Stempel Sekolah')).toBeGreaterThan(all.indexOf('Pasal 40.'));
  });

  it('shows the due date as signed and each extension, an empty kit, and blanks for who is unknown', async () => {
    const text = (
      await pages(await renderAgreementPdf(agreement({ dueDate: '2027-06-30', extensions: [{ extendedOn: '2027-06-20', newDueDate: '2027-07-31' }] })))
    ).join(' ');
    expect(text).toContain('Dikembalikan paling lambat : 30 Juni 2027');
    expect(text).toContain('Perpanjangan ke-1 : sampai 31 Juli 2027 (dicatat 20 Juni 2027)');
    expect(text).toContain('tidak ada kelengkapan yang tercatat');
    expect(text).toContain('Nomor telepon : -');
    expect(text).toContain('Persetujuan digital');
    expect(text).toContain('(nama jelas)');
  });

  it('draws names the standard fonts cannot spell, without failing', async () => {
    const text = (await pages(await renderAgreementPdf(agreement({ student: { fullName: 'Nūr Ḥasanah 🙂', nisn: '0071234567', grade: 8, className: '8A' } })))).join(' ');
    expect(text).toContain('Nur Hasanah ?');
  });
});

describe('pdfText', () => {
  it('keeps Windows-1252 letters, strips accents it lacks, and normalises line ends and tabs', () => {
    expect(pdfText('Café – “baik”')).toBe('Café – “baik”');
    expect(pdfText('Nūr Ḥasanah')).toBe('Nur Hasanah');
    expect(pdfText('a\r\nb\rc\td')).toBe('a\nb\nc    d');
    expect(pdfText('日本')).toBe('??');
  });
});
