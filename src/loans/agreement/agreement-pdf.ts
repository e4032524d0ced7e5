import PDFDocument from 'pdfkit';
import QRCode from 'qrcode';
import { caraPersetujuan, hubungan, jenisPerangkat, kelengkapan, tanggal, waktu } from './indonesian.js';

/** Everything the printed agreement shows, gathered by `AgreementService`; no database here. */
export interface AgreementDocument {
  agreementNumber: string;
  /** What the QR code carries (see `agreementQrPayload`). */
  qrPayload: string;
  program: { code: string; name: string };
  school: { name: string; npsn: string; district: string };
  student: { fullName: string; nisn: string; grade: number; className: string | null };
  /** The guardian who signed, as recorded on the loan. */
  guardian: { name: string; relation: string; phone: string | null };
  consent: { method: 'paper' | 'digital'; signedAt: Date };
  device: { assetTag: string; serialNumber: string; manufacturer: string; model: string; category: string; accessories: Record<string, boolean> };
  /** Date of issue in WIB, `YYYY-MM-DD`. */
  issuedOn: string;
  /** The operator who issued the loan, when it was a person. */
  issuedBy: string | null;
  /** The due date as signed, and the extensions since (oldest first). */
  dueDate: string;
  extensions: { extendedOn: string; newDueDate: string }[];
  /** The terms as signed (the loan's snapshot, not the program's current version). */
  terms: { version: number; text: string };
  /**
   * The guardian's drawn signature: its SHA-256 (hex) and the PNG, null once the retention period
   * removed the image. No drawn signature: the box stays empty for ink.
   */
  signature: { sha256: string; png: Buffer | null } | null;
}

const PAGE = { size: 'A4' as const, margins: { top: 48, bottom: 72, left: 56, right: 56 } };
const QR_SIZE = 96;
const TEXT = 10;
const GREY = '#555555';
const LABEL_WIDTH = 150;

/** Renders the borrow-and-use agreement (in Indonesian) as a PDF with the standard Helvetica fonts. */
export function renderAgreementPdf(agreement: AgreementDocument): Promise<Buffer> {
  const doc = new PDFDocument({
    ...PAGE,
    bufferPages: true,
    lang: 'id-ID',
    displayTitle: true,
    info: {
      Title: `Perjanjian Pinjam Pakai ${agreement.agreementNumber}`,
      Author: 'Dinas Pendidikan',
      Subject: programme(agreement.program.name),
      Keywords: agreement.agreementNumber,
    },
  });
  const chunks: Buffer[] = [];
  const done = new Promise<Buffer>((resolve, reject) => {
    doc.on('data', (chunk: Buffer) => chunks.push(chunk));
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
  });
  new AgreementLayout(doc, agreement).render();
  doc.end();
  return done;
}

class AgreementLayout {
  private readonly left: number;
  private readonly width: number;

  constructor(
    private readonly doc: PDFKit.PDFDocument,
    private readonly a: AgreementDocument,
  ) {
    this.left = PAGE.margins.left;
    this.width = doc.page.width - PAGE.margins.left - PAGE.margins.right;
  }

  render(): void {
    const { a } = this;
    this.letterhead();
    this.paragraph(
      `Pada tanggal ${tanggal(a.issuedOn)}, bertempat di ${a.school.name}, para pihak yang bertanda tangan di bawah ini sepakat mengadakan perjanjian pinjam pakai dengan ketentuan sebagai berikut.`,
    );

    this.heading('1. Para Pihak');
    this.paragraph(
      `Pihak Pertama (pemberi pinjam pakai): Dinas Pendidikan, selaku pengelola ${programme(a.program.name)} dan pengguna barang milik daerah, dalam hal ini diwakili oleh operator ${a.school.name}.`,
    );
    this.paragraph('Pihak Kedua (peminjam): orang tua/wali yang bertindak untuk dan atas nama siswa berikut, serta bertanggung jawab atas barang selama masa pinjam pakai.');
    this.row('Nama siswa', a.student.fullName);
    this.row('NISN', a.student.nisn);
    this.row('Sekolah', `${a.school.name} (NPSN ${a.school.npsn})`);
    this.row('Kelas', a.student.className ? `${a.student.grade} (${a.student.className})` : String(a.student.grade));
    this.row('Nama orang tua/wali', a.guardian.name);
    this.row('Hubungan dengan siswa', hubungan(a.guardian.relation));
    this.row('Nomor telepon', a.guardian.phone ?? '-');
    this.row('Cara persetujuan', caraPersetujuan(a.consent.method));
    this.row('Waktu persetujuan', waktu(a.consent.signedAt));

    this.heading('2. Barang yang Dipinjamkan');
    this.paragraph('Pihak Pertama menyerahkan kepada Pihak Kedua barang milik daerah berikut untuk dipakai siswa dalam kegiatan belajar. Barang tetap menjadi milik daerah.');
    this.row('Jenis', jenisPerangkat(a.device.category));
    this.row('Merek / model', `${a.device.manufacturer} ${a.device.model}`);
    this.row('Nomor aset', a.device.assetTag);
    this.row('Nomor seri', a.device.serialNumber);
    this.checklist();

    this.heading('3. Jangka Waktu');
    this.row('Tanggal serah terima', tanggal(a.issuedOn));
    this.row('Dikembalikan paling lambat', tanggal(a.dueDate));
    a.extensions.forEach((e, i) => this.row(`Perpanjangan ke-${i + 1}`, `sampai ${tanggal(e.newDueDate)} (dicatat ${tanggal(e.extendedOn)})`));

    this.heading(`4. Syarat dan Ketentuan (versi ${a.terms.version})`);
    this.terms();

    this.signatures();
    this.footers();
  }

  /** The office and program on the left, the verification QR code on the right, then the title. */
  private letterhead(): void {
    const { doc, a } = this;
    const top = doc.y;
    const qrX = this.left + this.width - QR_SIZE;
    this.qrCode(qrX, top, QR_SIZE);
    doc.font('Helvetica').fontSize(7).fillColor(GREY).text('Pindai untuk verifikasi', qrX, top + QR_SIZE + 2, { width: QR_SIZE, align: 'center' });

    const textWidth = this.width - QR_SIZE - 24;
    doc.font('Helvetica-Bold').fontSize(14).fillColor('black').text('DINAS PENDIDIKAN', this.left, top + 14, { width: textWidth });
    doc.font('Helvetica').fontSize(TEXT).text(pdfText(`${programme(a.program.name)} (${a.program.code})`), { width: textWidth });
    doc.fontSize(8.5).fillColor(GREY).text('Pinjam pakai perangkat teknologi milik daerah untuk siswa', { width: textWidth });

    const below = Math.max(doc.y, top + QR_SIZE + 14) + 6;
    doc.moveTo(this.left, below).lineTo(this.left + this.width, below).lineWidth(1).strokeColor('black').stroke();
    doc.y = below + 14;
    doc.font('Helvetica-Bold').fontSize(16).fillColor('black').text('PERJANJIAN PINJAM PAKAI', this.left, doc.y, { width: this.width, align: 'center' });
    doc.font('Helvetica').fontSize(TEXT).text(`Perangkat ${jenisPerangkat(a.device.category)} untuk Siswa`, { width: this.width, align: 'center' });
    doc.moveDown(0.3);
    doc.font('Helvetica-Bold').fontSize(11).text(`Nomor: ${a.agreementNumber}`, { width: this.width, align: 'center' });
    doc.moveDown(1);
  }

  private qrCode(x: number, y: number, size: number): void {
    drawQrCode(this.doc, this.a.qrPayload, x, y, size);
  }

  private heading(text: string): void {
    this.ensureSpace(48);
    this.doc.moveDown(0.6);
    this.doc.font('Helvetica-Bold').fontSize(11).fillColor('black').text(text, this.left, this.doc.y, { width: this.width });
    this.doc.moveDown(0.3);
  }

  private paragraph(text: string, options: { size?: number } = {}): void {
    const { doc } = this;
    doc.font('Helvetica').fontSize(options.size ?? TEXT).fillColor('black').text(pdfText(text), this.left, doc.y, { width: this.width, align: 'justify', lineGap: 1.5 });
    doc.moveDown(0.4);
  }

  /** A label, a colon and a value, the value wrapping within its own column. */
  private row(label: string, value: string): void {
    const { doc } = this;
    const x = this.left + 12;
    const valueX = x + LABEL_WIDTH + 10;
    const valueWidth = this.left + this.width - valueX;
    doc.font('Helvetica').fontSize(TEXT);
    const height = Math.max(doc.heightOfString(label, { width: LABEL_WIDTH }), doc.heightOfString(pdfText(value), { width: valueWidth }));
    this.ensureSpace(height + 4);
    const y = doc.y;
    doc.fillColor(GREY).text(label, x, y, { width: LABEL_WIDTH });
    doc.text(':', x + LABEL_WIDTH, y);
    doc.fillColor('black').text(pdfText(value), valueX, y, { width: valueWidth });
    doc.x = this.left;
    doc.y = y + height + 3;
  }

  /** The accessories kit: ticked boxes for what is handed over with the device. */
  private checklist(): void {
    const { doc } = this;
    const items = Object.entries(this.a.device.accessories).sort(([a, inA], [b, inB]) => Number(inB) - Number(inA) || a.localeCompare(b));
    const x = this.left + 12;
    const boxX = x + LABEL_WIDTH + 10;
    const textX = boxX + 15;
    const textWidth = this.left + this.width - textX;
    doc.font('Helvetica').fontSize(TEXT);
    this.ensureSpace(16 * Math.min(Math.max(items.length, 1), 4));
    let y = doc.y;
    doc.fillColor(GREY).text('Kelengkapan', x, y, { width: LABEL_WIDTH });
    doc.text(':', x + LABEL_WIDTH, y);
    if (items.length === 0) {
      doc.fillColor('black').text('tidak ada kelengkapan yang tercatat', boxX, y, { width: this.left + this.width - boxX });
      y = doc.y + 3;
    }
    for (const [item, included] of items) {
      if (y + 14 > doc.page.height - PAGE.margins.bottom) {
        doc.addPage();
        y = doc.y;
      }
      doc.lineWidth(0.8).strokeColor('black').rect(boxX, y + 0.5, 9, 9).stroke();
      if (included) doc.lineWidth(1.4).moveTo(boxX + 1.8, y + 5).lineTo(boxX + 3.9, y + 7.6).lineTo(boxX + 7.6, y + 2).stroke();
      const label = kelengkapan(item) + (included ? '' : ' (tidak disertakan)');
      doc.fillColor(included ? 'black' : GREY).text(pdfText(label), textX, y, { width: textWidth });
      y = doc.y + 3;
    }
    doc.lineWidth(1);
    doc.x = this.left;
    doc.y = y;
  }

  /** The full terms as signed; blank lines separate paragraphs. */
  private terms(): void {
    const paragraphs = pdfText(this.a.terms.text)
      .split(/\n[ \t]*\n/)
      .map((p) => p.trim())
      .filter(Boolean);
    paragraphs.forEach((p, i) => {
      // The closing note stays on the page of the last paragraph, not alone on the next.
      if (i === paragraphs.length - 1) {
        this.doc.font('Helvetica').fontSize(9.5);
        this.ensureSpace(this.doc.heightOfString(p, { width: this.width, lineGap: 1.5 }) + 20);
      }
      this.paragraph(p, { size: 9.5 });
    });
    this.doc.font('Helvetica-Oblique').fontSize(8.5).fillColor(GREY).text(
      `Syarat dan ketentuan di atas adalah versi ${this.a.terms.version}, sebagaimana disetujui pada saat perjanjian ini ditandatangani.`,
      this.left,
      this.doc.y,
      { width: this.width },
    );
  }

  /** Guardian, school operator and the school's stamp, kept together on one page. */
  private signatures(): void {
    const { doc, a } = this;
    this.ensureSpace(a.signature ? 206 : 190);
    doc.moveDown(1.2);
    doc.font('Helvetica').fontSize(TEXT).fillColor('black').text('Demikian perjanjian ini dibuat dan disetujui oleh para pihak.', this.left, doc.y, { width: this.width });
    doc.moveDown(0.8);
    doc.text(`${pdfText(a.school.district)}, ${tanggal(a.issuedOn)}`, this.left, doc.y, { width: this.width, align: 'right' });
    doc.moveDown(0.8);

    const column = this.width / 3;
    const top = doc.y;
    const blocks: [string, string, string | null][] = [
      ['Pihak Kedua', 'Orang Tua/Wali Siswa', a.guardian.name],
      ['a.n. Pihak Pertama', 'Operator Sekolah', a.issuedBy],
      ['', 'Stempel Sekolah', null],
    ];
    blocks.forEach(([role, title, name], i) => {
      const x = this.left + i * column;
      doc.font('Helvetica').fontSize(9).fillColor(GREY).text(role, x, top, { width: column, align: 'center' });
      doc.font('Helvetica-Bold').fontSize(TEXT).fillColor('black').text(title, x, top + 12, { width: column, align: 'center' });
      if (i < 2) {
        const lineY = top + 100;
        if (i === 0 && a.signature) this.drawnSignature(x + 18, top + 28, column - 36, lineY - top - 30);
        doc.lineWidth(0.8).strokeColor('black').moveTo(x + 18, lineY).lineTo(x + column - 18, lineY).stroke();
        doc.font('Helvetica').fontSize(9.5).text(name ? pdfText(name) : '(nama jelas)', x + 10, lineY + 4, { width: column - 20, align: 'center' });
      } else {
        doc.save().lineWidth(0.8).dash(3, { space: 3 }).strokeColor(GREY).circle(x + column / 2, top + 66, 34).stroke().undash().restore();
      }
    });
    doc.x = this.left;
    doc.y = top + 130;
    if (a.signature) {
      doc.font('Helvetica').fontSize(7.5).fillColor(GREY).text(`SHA-256 tanda tangan Pihak Kedua: ${a.signature.sha256}`, this.left, doc.y, { width: this.width, lineBreak: false });
      doc.fillColor('black');
      doc.x = this.left;
      doc.y += 16;
    }
  }

  /**
   * The signature as drawn on the screen, scaled to fill its box without distortion; once the
   * retention period removed the image, a note in its place (the hash below still names it).
   */
  private drawnSignature(x: number, y: number, width: number, height: number): void {
    const { doc } = this;
    const png = this.a.signature?.png;
    if (!png) {
      doc.font('Helvetica-Oblique').fontSize(8).fillColor(GREY).text('Tanda tangan digital telah dihapus setelah masa retensi data', x, y + height / 2 - 10, { width, align: 'center' });
      doc.fillColor('black');
      return;
    }
    doc.image(png, x, y, { fit: [width, height], align: 'center', valign: 'bottom' });
  }

  /** The agreement number and page count at the foot of every page, with the address to check it. */
  private footers(): void {
    const { doc, a } = this;
    const range = doc.bufferedPageRange();
    for (let i = range.start; i < range.start + range.count; i++) {
      doc.switchToPage(i);
      // Writing into the bottom margin must not start a new page.
      const bottom = doc.page.margins.bottom;
      doc.page.margins.bottom = 0;
      const y = doc.page.height - 50;
      doc.lineWidth(0.5).strokeColor('#999999').moveTo(this.left, y - 6).lineTo(this.left + this.width, y - 6).stroke();
      doc.font('Helvetica').fontSize(8).fillColor(GREY);
      doc.text(`Perjanjian Pinjam Pakai Nomor ${a.agreementNumber}`, this.left, y, { width: this.width, lineBreak: false });
      doc.text(`Halaman ${i - range.start + 1} dari ${range.count}`, this.left, y, { width: this.width, align: 'right', lineBreak: false });
      doc.fontSize(7).text(pdfText(`Periksa keaslian: ${a.qrPayload}`), this.left, y + 12, { width: this.width, lineBreak: false, ellipsis: true });
      doc.page.margins.bottom = bottom;
    }
  }

  private ensureSpace(height: number): void {
    if (this.doc.y + height > this.doc.page.height - PAGE.margins.bottom) {
      this.doc.addPage();
    }
  }
}

/** A QR code drawn as vector squares from the code's module matrix: sharp at any print size. */
export function drawQrCode(doc: PDFKit.PDFDocument, payload: string, x: number, y: number, size: number): void {
  const { modules } = QRCode.create(payload, { errorCorrectionLevel: 'M' });
  const quiet = 2;
  const cell = size / (modules.size + 2 * quiet);
  doc.save();
  for (let row = 0; row < modules.size; row++) {
    for (let col = 0; col < modules.size; col++) {
      // A hair of overlap so neighbouring squares print as one dark area, without seams.
      if (modules.get(row, col)) doc.rect(x + (col + quiet) * cell, y + (row + quiet) * cell, cell + 0.05, cell + 0.05);
    }
  }
  doc.fillColor('black').fill();
  doc.restore();
}

/** Collects a finished pdfkit document's bytes. */
export function pdfBytes(doc: PDFKit.PDFDocument): Promise<Buffer> {
  const chunks: Buffer[] = [];
  return new Promise<Buffer>((resolve, reject) => {
    doc.on('data', (chunk: Buffer) => chunks.push(chunk));
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
  });
}

/** "Program Laptop Pelajar 2027", without doubling a name that already says "Program". */
export const programme = (name: string) => (/^program\b/i.test(name.trim()) ? name.trim() : `Program ${name.trim()}`);

// The standard fonts cover Windows-1252 only.
const WIN_ANSI_EXTRA = new Set('€‚ƒ„…†‡ˆ‰Š‹ŒŽ‘’“”•–—˜™š›œžŸ');

/**
 * Text as the standard PDF fonts can draw it: accents kept where Windows-1252 has the letter,
 * dropped where it does not (ā -> a), anything else a '?'; tabs become spaces, line ends `\n`.
 */
export function pdfText(text: string): string {
  let out = '';
  for (const ch of text.replace(/\r\n?/g, '\n').replace(/\t/g, '    ')) {
    if (drawable(ch)) {
      out += ch;
      continue;
    }
    const base = ch.normalize('NFKD').replace(/\p{M}/gu, '');
    out += base && [...base].every(drawable) ? base : '?';
  }
  return out;
}

function drawable(ch: string): boolean {
  const code = ch.codePointAt(0)!;
  return ch === '\n' || (code >= 0x20 && code < 0x7f) || (code >= 0xa0 && code <= 0xff) || WIN_ANSI_EXTRA.has(ch);
}
