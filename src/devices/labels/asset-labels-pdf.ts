import bwipjs from 'bwip-js';
import PDFDocument from 'pdfkit';
import { pdfBytes, pdfText } from '../../loans/agreement/agreement-pdf.js';
import { LABEL_LAYOUTS, type LabelLayoutName, MM } from './label-layouts.js';

export interface AssetLabel {
  assetTag: string;
  /** e.g. "Acer Chromebook 314" */
  model: string;
}

/**
 * What each label encodes, in both symbols: exactly the asset tag, nothing around it, so a
 * keyboard-wedge scanner types the tag (and Enter) into the desk's scan field, and
 * `GET /api/v1/devices/lookup?code=` finds the device.
 */
export const labelPayload = (label: AssetLabel) => label.assetTag;

/**
 * An A4 sheet (or several) of asset-tag labels: a QR code on the left (BWIPP's default error correction, M), a Code 128 bar code with
 * the tag printed under it on the right, and whose property it is. Symbols are drawn by bwip-js
 * as PNG (Code 128 at 3 px per module, so the narrowest bar prints at least ~0.25 mm).
 */
export async function renderAssetLabels(labels: AssetLabel[], layoutName: LabelLayoutName, owner: string): Promise<Buffer> {
  const layout = LABEL_LAYOUTS[layoutName];
  const perPage = layout.columns * layout.rows;
  const doc = new PDFDocument({ size: 'A4', margin: 0, autoFirstPage: false, lang: 'id-ID', info: { Title: `Label aset (${layoutName})`, Author: 'Dinas Pendidikan' } });
  const done = pdfBytes(doc);
  for (const [index, label] of labels.entries()) {
    if (index % perPage === 0) doc.addPage({ size: 'A4', margin: 0 });
    const slot = index % perPage;
    const x = (layout.left + (slot % layout.columns) * (layout.width + layout.gapX)) * MM;
    const y = (layout.top + Math.floor(slot / layout.columns) * (layout.height + layout.gapY)) * MM;
    await drawLabel(doc, label, x, y, layout.width * MM, layout.height * MM, owner);
  }
  if (labels.length === 0) doc.addPage({ size: 'A4', margin: 0 }).font('Helvetica').fontSize(11).text('Tidak ada perangkat untuk dicetak labelnya.', 56, 56);
  doc.end();
  return done;
}

/**
 * One label: the QR code top left with the owner, the model and the tag beside it; the Code 128
 * bar code across the full width below, where its bars get the room to print wide enough (at
 * least ~0.3 mm per module for a tag of 14-18 characters on a 70 mm label).
 */
async function drawLabel(doc: PDFKit.PDFDocument, label: AssetLabel, x: number, y: number, width: number, height: number, owner: string): Promise<void> {
  const pad = 2.5 * MM;
  const payload = labelPayload(label);
  const barHeight = 10 * MM;
  const qrSize = height - 2 * pad - barHeight - 1.5 * MM;
  const qr = await bwipjs.toBuffer({ bcid: 'qrcode', text: payload, scale: 4 });
  doc.image(qr, x + pad, y + pad, { fit: [qrSize, qrSize] });

  const textX = x + pad + qrSize + 2 * MM;
  const textWidth = x + width - pad - textX;
  doc.font('Helvetica-Bold').fontSize(6).fillColor('black').text(pdfText(owner), textX, y + pad + 1, { width: textWidth, lineBreak: false, ellipsis: true });
  doc.font('Helvetica').fontSize(6).fillColor('#333333').text(pdfText(label.model), textX, y + pad + 9, { width: textWidth, lineBreak: false, ellipsis: true });
  doc.font('Helvetica-Bold').fontSize(11).fillColor('black').text(label.assetTag, textX, y + pad + qrSize - 13, { width: textWidth, lineBreak: false, ellipsis: true });

  const code128 = await bwipjs.toBuffer({ bcid: 'code128', text: payload, scale: 3, height: 8, includetext: false });
  doc.image(code128, x + pad, y + height - pad - barHeight, { fit: [width - 2 * pad, barHeight], align: 'center', valign: 'center' });
}
