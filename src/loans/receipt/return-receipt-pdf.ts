import PDFDocument from 'pdfkit';
import { drawQrCode, pdfBytes, pdfText, programme } from '../agreement/agreement-pdf.js';
import { jenisPerangkat, kelengkapan, kondisi, rupiah, statusTagihan, tanggal, tujuanPerangkat, waktu } from '../agreement/indonesian.js';

/** Everything the return receipt shows, gathered by `ReturnReceiptService`; no database here. */
export interface ReturnReceiptDocument {
  agreementNumber: string;
  /** The public verification URL of the agreement (what the QR code carries). */
  verifyUrl: string;
  program: { name: string };
  school: { name: string; npsn: string; district: string };
  student: { fullName: string; nisn: string };
  guardianName: string;
  device: { assetTag: string; serialNumber: string; manufacturer: string; model: string; category: string };
  issuedOn: string;
  dueDate: string;
  returned: {
    at: Date;
    /** The person who received it, when a person did (an API key has no name). */
    receivedBy: string | null;
    condition: string;
    /** Each kit item: handed over with the device, and whether it came back. */
    checklist: { item: string; returned: boolean }[];
    damageNotes: string | null;
    nextStatus: string;
  };
  charges: { description: string; amount: number; status: string }[];
}

const MARGIN = 56;
const QR_SIZE = 88;
const LABEL_WIDTH = 150;
const GREY = '#555555';

/** The return receipt (*tanda terima pengembalian*), one A4 page in Indonesian. */
export function renderReturnReceiptPdf(r: ReturnReceiptDocument): Promise<Buffer> {
  const doc = new PDFDocument({
    size: 'A4',
    margins: { top: 48, bottom: 56, left: MARGIN, right: MARGIN },
    lang: 'id-ID',
    displayTitle: true,
    info: { Title: `Tanda Terima Pengembalian ${r.agreementNumber}`, Author: 'Dinas Pendidikan', Keywords: r.agreementNumber },
  });
  const done = pdfBytes(doc);
  const width = doc.page.width - 2 * MARGIN;
  const top = doc.y;

  drawQrCode(doc, r.verifyUrl, MARGIN + width - QR_SIZE, top, QR_SIZE);
  doc.font('Helvetica').fontSize(7).fillColor(GREY).text('Pindai untuk verifikasi', MARGIN + width - QR_SIZE, top + QR_SIZE + 2, { width: QR_SIZE, align: 'center' });
  doc.font('Helvetica-Bold').fontSize(14).fillColor('black').text('DINAS PENDIDIKAN', MARGIN, top + 12, { width: width - QR_SIZE - 20 });
  doc.font('Helvetica').fontSize(10).text(pdfText(programme(r.program.name)), { width: width - QR_SIZE - 20 });
  doc.fontSize(9).fillColor(GREY).text(pdfText(`${r.school.name} (NPSN ${r.school.npsn})`), { width: width - QR_SIZE - 20 });
  const rule = Math.max(doc.y, top + QR_SIZE + 12) + 6;
  doc.moveTo(MARGIN, rule).lineTo(MARGIN + width, rule).lineWidth(1).strokeColor('black').stroke();
  doc.y = rule + 14;
  doc.font('Helvetica-Bold').fontSize(15).fillColor('black').text('TANDA TERIMA PENGEMBALIAN', MARGIN, doc.y, { width, align: 'center' });
  doc.font('Helvetica').fontSize(10).text(`Perjanjian Pinjam Pakai Nomor ${r.agreementNumber}`, { width, align: 'center' });
  doc.moveDown(1);

  const heading = (text: string) => {
    doc.moveDown(0.5);
    doc.font('Helvetica-Bold').fontSize(11).fillColor('black').text(text, MARGIN, doc.y, { width });
    doc.moveDown(0.25);
  };
  const row = (label: string, value: string) => {
    const x = MARGIN + 12;
    const valueX = x + LABEL_WIDTH + 10;
    doc.font('Helvetica').fontSize(10);
    const y = doc.y;
    const height = Math.max(doc.heightOfString(label, { width: LABEL_WIDTH }), doc.heightOfString(pdfText(value), { width: MARGIN + width - valueX }));
    doc.fillColor(GREY).text(label, x, y, { width: LABEL_WIDTH });
    doc.text(':', x + LABEL_WIDTH, y);
    doc.fillColor('black').text(pdfText(value), valueX, y, { width: MARGIN + width - valueX });
    doc.y = y + height + 3;
  };

  doc.font('Helvetica').fontSize(10).fillColor('black').text(
    pdfText(`Pada ${waktu(r.returned.at)}, ${r.school.name} telah menerima kembali barang milik daerah berikut dari peminjam.`),
    MARGIN, doc.y, { width, align: 'justify' },
  );

  heading('1. Peminjam');
  row('Nama siswa', r.student.fullName);
  row('NISN', r.student.nisn);
  row('Orang tua/wali', r.guardianName);
  row('Tanggal serah terima', tanggal(r.issuedOn));
  row('Batas pengembalian', tanggal(r.dueDate));

  heading('2. Barang yang Dikembalikan');
  row('Jenis', jenisPerangkat(r.device.category));
  row('Merek / model', `${r.device.manufacturer} ${r.device.model}`);
  row('Nomor aset', r.device.assetTag);
  row('Nomor seri', r.device.serialNumber);
  row('Kondisi', kondisi(r.returned.condition));
  if (r.returned.checklist.length === 0) row('Kelengkapan', 'tidak ada kelengkapan yang tercatat');
  for (const [i, c] of r.returned.checklist.entries()) row(i === 0 ? 'Kelengkapan' : '', `${kelengkapan(c.item)}: ${c.returned ? 'dikembalikan' : 'tidak dikembalikan'}`);
  row('Catatan kerusakan', r.returned.damageNotes ?? '-');
  row('Tindak lanjut', tujuanPerangkat(r.returned.nextStatus));

  heading('3. Tagihan');
  if (r.charges.length === 0) {
    doc.font('Helvetica').fontSize(10).fillColor('black').text('Tidak ada tagihan atas pengembalian ini.', MARGIN + 12, doc.y, { width: width - 12 });
  } else {
    for (const c of r.charges) row(c.description, `${rupiah(c.amount)} (${statusTagihan(c.status)})`);
    const total = r.charges.reduce((n, c) => n + c.amount, 0);
    const open = r.charges.filter((c) => c.status === 'open').reduce((n, c) => n + c.amount, 0);
    doc.font('Helvetica-Bold');
    row('Jumlah tagihan', rupiah(total));
    row('Belum dibayar', rupiah(open));
  }

  heading('4. Penerima');
  row('Diterima oleh', r.returned.receivedBy ?? 'sistem (kunci API)');
  row('Waktu penerimaan', waktu(r.returned.at));

  // Signatures: whoever handed it back, and the operator who received it.
  doc.moveDown(1.5);
  const column = width / 2;
  const signTop = doc.y;
  doc.font('Helvetica').fontSize(10).fillColor('black').text(pdfText(`${r.school.district}, ${tanggal(wibDay(r.returned.at))}`), MARGIN, signTop, { width, align: 'right' });
  const labelsY = signTop + 22;
  ([['Yang menyerahkan', r.guardianName], ['Yang menerima', r.returned.receivedBy ?? '(nama jelas)']] as const).forEach(([title, name], i) => {
    const x = MARGIN + i * column;
    doc.font('Helvetica-Bold').fontSize(10).text(title, x, labelsY, { width: column, align: 'center' });
    doc.lineWidth(0.8).strokeColor('black').moveTo(x + 30, labelsY + 70).lineTo(x + column - 30, labelsY + 70).stroke();
    doc.font('Helvetica').fontSize(9.5).text(pdfText(name), x + 10, labelsY + 74, { width: column - 20, align: 'center' });
  });

  // Writing into the bottom margin must not start a new page.
  doc.page.margins.bottom = 0;
  doc.font('Helvetica').fontSize(7).fillColor(GREY).text(pdfText(`Periksa keaslian perjanjian: ${r.verifyUrl}`), MARGIN, doc.page.height - 44, { width, lineBreak: false, ellipsis: true });
  doc.end();
  return done;
}

const wibDay = (at: Date) => new Date(at.getTime() + 7 * 3600_000).toISOString().slice(0, 10);
