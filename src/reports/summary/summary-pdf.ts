import PDFDocument from 'pdfkit';
import { pdfText } from '../../loans/agreement/agreement-pdf.js';
import { tanggal, waktu } from '../../loans/agreement/indonesian.js';

/** Everything the printed summary shows, gathered by SummaryService; no database here. */
export interface SummaryDocument {
  /** "Seluruh kota" or the school's name and NPSN. */
  scope: { schoolName: string | null; npsn: string | null };
  asOf: string;
  generatedAt: Date;
  stock: { location: string; inStock: number; reserved: number; onLoan: number; inRepair: number; lost: number; stolen: number; retired: number; total: number }[];
  mismatches: number;
  loans: { school: string; active: number; overdue: number; maxDays: number; upTo7: number; upTo30: number; over30: number; escalated: number }[];
  losses: { school: string; lost: number; stolen: number; charges: number; charged: number; paid: number; waived: number; open: number }[];
  /** Null when there is no program to chart. */
  coverage: { program: { code: string; name: string }; schools: { school: string; eligible: number; served: number }[] } | null;
}

interface Column {
  title: string;
  width: number;
  /** Text columns wrap; number columns are right-aligned. */
  align: 'left' | 'right';
}

const MARGIN = 48;
const PAGE = { size: 'A4' as const, margins: { top: MARGIN, bottom: 64, left: MARGIN, right: MARGIN } };
const GREY = '#555555';
const LIGHT = '#dddddd';
const BAR = '#2f6f9f';
const SIZE = 8;

export const angka = (n: number) => n.toLocaleString('id-ID');

/** The audit-visit summary (in Indonesian): stock, loans, losses and charges, and a coverage chart. */
export function renderSummaryPdf(summary: SummaryDocument): Promise<Buffer> {
  const title = summary.scope.schoolName ? `Ringkasan ${summary.scope.schoolName}` : 'Ringkasan seluruh kota';
  const doc = new PDFDocument({ ...PAGE, bufferPages: true, lang: 'id-ID', displayTitle: true, info: { Title: pdfText(title), Author: 'Dinas Pendidikan', Subject: 'Ringkasan program pinjam pakai laptop' } });
  const chunks: Buffer[] = [];
  const done = new Promise<Buffer>((resolve, reject) => {
    doc.on('data', (chunk: Buffer) => chunks.push(chunk));
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
  });
  new SummaryLayout(doc, summary).render();
  doc.end();
  return done;
}

class SummaryLayout {
  private readonly width: number;

  constructor(
    private readonly doc: PDFKit.PDFDocument,
    private readonly s: SummaryDocument,
  ) {
    this.width = doc.page.width - 2 * MARGIN;
  }

  render(): void {
    const { s } = this;
    this.header();

    this.heading('1. Stok perangkat menurut status');
    const stockColumns = this.columns(['Lokasi', 'Tersedia', 'Dipesan', 'Dipinjam', 'Perbaikan', 'Hilang', 'Dicuri', 'Dihapus', 'Jumlah'], 130);
    const stockTotal = (k: keyof SummaryDocument['stock'][number]) => s.stock.reduce((n, r) => n + (r[k] as number), 0);
    const keys = ['inStock', 'reserved', 'onLoan', 'inRepair', 'lost', 'stolen', 'retired', 'total'] as const;
    this.table(stockColumns, s.stock.map((r) => [r.location, ...keys.map((k) => angka(r[k]))]), ['Jumlah', ...keys.map((k) => angka(stockTotal(k)))]);
    this.note(s.mismatches === 0 ? 'Rekonsiliasi stok: tidak ada selisih.' : `Rekonsiliasi stok: ${angka(s.mismatches)} selisih (rincian di laporan rekonsiliasi stok).`);

    this.heading('2. Peminjaman aktif dan terlambat');
    const loanColumns = this.columns(['Sekolah', 'Aktif', 'Terlambat', 'Maks. hari', '1-7 hari', '8-30 hari', '> 30 hari', 'Eskalasi'], 160);
    const loanKeys = ['active', 'overdue', 'maxDays', 'upTo7', 'upTo30', 'over30', 'escalated'] as const;
    const loanTotal = (k: (typeof loanKeys)[number]) => (k === 'maxDays' ? Math.max(0, ...s.loans.map((r) => r.maxDays)) : s.loans.reduce((n, r) => n + r[k], 0));
    this.table(loanColumns, s.loans.map((r) => [r.school, ...loanKeys.map((k) => angka(r[k]))]), ['Jumlah', ...loanKeys.map((k) => angka(loanTotal(k)))]);

    this.heading('3. Kehilangan dan tagihan (seluruh periode)');
    const lossColumns = this.columns(['Sekolah', 'Hilang', 'Dicuri', 'Tagihan', 'Ditagihkan (Rp)', 'Dibayar (Rp)', 'Dihapuskan (Rp)', 'Belum dibayar (Rp)'], 118, [38, 38, 40]);
    const lossCounts = ['lost', 'stolen', 'charges'] as const;
    const lossMoney = ['charged', 'paid', 'waived', 'open'] as const;
    const lossTotal = (k: (typeof lossCounts)[number] | (typeof lossMoney)[number]) => s.losses.reduce((n, r) => n + r[k], 0);
    this.table(
      lossColumns,
      s.losses.map((r) => [r.school, ...[...lossCounts, ...lossMoney].map((k) => angka(r[k]))]),
      ['Jumlah', ...[...lossCounts, ...lossMoney].map((k) => angka(lossTotal(k)))],
    );

    this.coverageChart();
    this.footers();
  }

  private header(): void {
    const { doc, s } = this;
    doc.font('Helvetica-Bold').fontSize(9).fillColor(GREY).text('DINAS PENDIDIKAN', MARGIN, doc.y, { width: this.width });
    doc.font('Helvetica-Bold').fontSize(15).fillColor('black').text('Ringkasan Program Pinjam Pakai Laptop', { width: this.width });
    const scope = s.scope.schoolName ? `${s.scope.schoolName} (NPSN ${s.scope.npsn})` : 'Seluruh kota';
    doc.font('Helvetica').fontSize(10).text(pdfText(scope), { width: this.width });
    doc.fontSize(8.5).fillColor(GREY).text(`Keadaan per ${tanggal(s.asOf)}; dicetak ${waktu(s.generatedAt)}`, { width: this.width });
    const y = doc.y + 6;
    doc.moveTo(MARGIN, y).lineTo(MARGIN + this.width, y).lineWidth(1).strokeColor('black').stroke();
    doc.y = y + 10;
  }

  /** The first column takes `first` points, the others share the rest (or take the widths given). */
  private columns(titles: string[], first: number, widths: number[] = []): Column[] {
    const fixed = widths.reduce((n, w) => n + w, 0);
    const rest = (this.width - first - fixed) / (titles.length - 1 - widths.length);
    return titles.map((title, i) => ({ title, width: i === 0 ? first : (widths[i - 1] ?? rest), align: i === 0 ? 'left' : 'right' }));
  }

  private heading(text: string): void {
    this.ensureSpace(60);
    this.doc.moveDown(0.8);
    this.doc.font('Helvetica-Bold').fontSize(11).fillColor('black').text(text, MARGIN, this.doc.y, { width: this.width });
    this.doc.moveDown(0.3);
  }

  private note(text: string): void {
    this.doc.moveDown(0.3);
    this.doc.font('Helvetica-Oblique').fontSize(SIZE).fillColor(GREY).text(pdfText(text), MARGIN, this.doc.y, { width: this.width });
  }

  /** A ruled table whose header repeats on every page it runs onto; the totals row is bold. */
  private table(columns: Column[], rows: string[][], total: string[]): void {
    this.row(columns, columns.map((c) => c.title), { header: true });
    if (rows.length === 0) {
      this.doc.font('Helvetica-Oblique').fontSize(SIZE).fillColor(GREY).text('Tidak ada data.', MARGIN + 3, this.doc.y + 3, { width: this.width });
      this.doc.moveDown(0.3);
    }
    for (const cells of rows) {
      if (this.rowHeight(columns, cells) + this.doc.y > this.bottom()) {
        this.doc.addPage();
        this.row(columns, columns.map((c) => c.title), { header: true });
      }
      this.row(columns, cells, {});
    }
    this.row(columns, total, { bold: true });
  }

  private rowHeight(columns: Column[], cells: string[]): number {
    this.doc.font('Helvetica').fontSize(SIZE);
    return Math.max(...cells.map((cell, i) => this.doc.heightOfString(pdfText(cell), { width: columns[i].width - 6 }))) + 6;
  }

  private row(columns: Column[], cells: string[], style: { header?: boolean; bold?: boolean }): void {
    const { doc } = this;
    const height = this.rowHeight(columns, cells);
    if (doc.y + height > this.bottom()) doc.addPage();
    const y = doc.y;
    if (style.header) doc.rect(MARGIN, y, this.width, height).fillColor('#eeeeee').fill();
    doc.font(style.header || style.bold ? 'Helvetica-Bold' : 'Helvetica').fontSize(SIZE).fillColor('black');
    let x = MARGIN;
    cells.forEach((cell, i) => {
      doc.text(pdfText(cell), x + 3, y + 3, { width: columns[i].width - 6, align: columns[i].align });
      x += columns[i].width;
    });
    doc.moveTo(MARGIN, y + height).lineTo(MARGIN + this.width, y + height).lineWidth(style.bold ? 0.8 : 0.4).strokeColor(style.bold ? 'black' : LIGHT).stroke();
    doc.x = MARGIN;
    doc.y = y + height;
  }

  /** Share of eligible students served, one horizontal bar per school, with 25% gridlines. */
  private coverageChart(): void {
    const { doc, s } = this;
    this.heading('4. Cakupan per sekolah');
    if (!s.coverage) {
      this.note('Belum ada program untuk digambarkan.');
      return;
    }
    doc.font('Helvetica').fontSize(SIZE).fillColor(GREY)
      .text(pdfText(`Program ${s.coverage.program.name} (${s.coverage.program.code}): siswa sasaran yang sudah mendapat perangkat, dibagi jumlah siswa sasaran.`), MARGIN, doc.y, { width: this.width });
    doc.moveDown(0.5);
    const labelWidth = 150;
    const valueWidth = 90;
    const barX = MARGIN + labelWidth + 6;
    const barWidth = this.width - labelWidth - valueWidth - 12;
    const barHeight = 10;
    const axis = () => {
      const y = doc.y;
      doc.font('Helvetica').fontSize(7).fillColor(GREY);
      for (const p of [0, 25, 50, 75, 100]) doc.text(`${p}%`, barX + (barWidth * p) / 100 - 15, y, { width: 30, align: 'center', lineBreak: false });
      doc.y = y + 10;
    };
    axis();
    if (s.coverage.schools.length === 0) this.note('Tidak ada siswa sasaran.');
    for (const row of s.coverage.schools) {
      doc.font('Helvetica').fontSize(SIZE);
      const label = pdfText(row.school);
      const height = Math.max(doc.heightOfString(label, { width: labelWidth }), barHeight) + 5;
      if (doc.y + height > this.bottom()) {
        doc.addPage();
        axis();
      }
      const y = doc.y;
      const share = row.eligible === 0 ? 0 : row.served / row.eligible;
      doc.fillColor('black').text(label, MARGIN, y, { width: labelWidth });
      for (const p of [0, 25, 50, 75, 100]) {
        const x = barX + (barWidth * p) / 100;
        doc.moveTo(x, y - 2).lineTo(x, y + height - 2).lineWidth(0.4).strokeColor(LIGHT).stroke();
      }
      if (share > 0) doc.rect(barX, y, Math.max(barWidth * Math.min(share, 1), 1), barHeight).fillColor(BAR).fill();
      const value = row.eligible === 0 ? 'tidak ada sasaran' : `${Math.round(share * 100)}% (${angka(row.served)}/${angka(row.eligible)})`;
      doc.font('Helvetica').fontSize(SIZE).fillColor('black').text(value, barX + barWidth + 6, y, { width: valueWidth, lineBreak: false });
      doc.x = MARGIN;
      doc.y = y + height;
    }
  }

  private footers(): void {
    const { doc } = this;
    const range = doc.bufferedPageRange();
    for (let i = range.start; i < range.start + range.count; i++) {
      doc.switchToPage(i);
      const bottom = doc.page.margins.bottom;
      doc.page.margins.bottom = 0;
      const y = doc.page.height - 44;
      doc.lineWidth(0.5).strokeColor('#999999').moveTo(MARGIN, y - 6).lineTo(MARGIN + this.width, y - 6).stroke();
      doc.font('Helvetica').fontSize(7.5).fillColor(GREY);
      doc.text(`Ringkasan program pinjam pakai laptop, per ${tanggal(this.s.asOf)}`, MARGIN, y, { width: this.width, lineBreak: false });
      doc.text(`Halaman ${i - range.start + 1} dari ${range.count}`, MARGIN, y, { width: this.width, align: 'right', lineBreak: false });
      doc.page.margins.bottom = bottom;
    }
  }

  private bottom(): number {
    return this.doc.page.height - PAGE.margins.bottom;
  }

  private ensureSpace(height: number): void {
    if (this.doc.y + height > this.bottom()) this.doc.addPage();
  }
}
