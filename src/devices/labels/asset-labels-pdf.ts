import bwipjs from 'bwip-js';
import PDFDocument from 'pdfkit';
import { drawQrCode, pdfBytes, pdfText } from '../../loans/agreement/agreement-pdf.js';
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
    drawLabel(doc, label, x, y, layout.width * MM, layout.height * MM, owner);
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
function drawLabel(doc: PDFKit.PDFDocument, label: AssetLabel, x: number, y: number, width: number, height: number, owner: string): void {
  const pad = 2.5 * MM;
  const payload = labelPayload(label);
  const barHeight = 10 * MM;
  const qrSize = height - 2 * pad - barHeight - 1.5 * MM;
  // The QR code as vector squares, as on the agreement (qrcode's module matrix): sharp at any size,
  // and about fifty times cheaper than a bwip-js PNG, which would hold the request thread for
  // seconds on a full batch.
  drawQrCode(doc, payload, x + pad - 0.8 * MM, y + pad - 0.8 * MM, qrSize + 1.6 * MM);

  const textX = x + pad + qrSize + 2 * MM;
  const textWidth = x + width - pad - textX;
  doc.font('Helvetica-Bold').fontSize(6).fillColor('black').text(pdfText(owner), textX, y + pad + 1, { width: textWidth, lineBreak: false, ellipsis: true });
  doc.font('Helvetica').fontSize(6).fillColor('#333333').text(pdfText(label.model), textX, y + pad + 9, { width: textWidth, lineBreak: false, ellipsis: true });
  doc.font('Helvetica-Bold').fontSize(11).fillColor('black').text(label.assetTag, textX, y + pad + qrSize - 13, { width: textWidth, lineBreak: false, ellipsis: true });

  drawCode128(doc, payload, x + pad, y + height - pad - barHeight, width - 2 * pad, barHeight);
}

/**
 * Code 128 as vector bars: bwip-js encodes (its `raw` answer is the bar and space widths in
 * modules, start and stop codes and checksum included) and pdfkit draws one rectangle per bar,
 * centred in the box, modules as wide as the box allows (at most 0.5 mm) with ten modules of
 * quiet zone each side.
 */
function drawCode128(doc: PDFKit.PDFDocument, text: string, x: number, y: number, width: number, height: number): void {
  const [{ sbs }] = bwipjs.raw('code128', text, '') as { sbs: number[] }[];
  const modules = sbs.reduce((n, w) => n + w, 0);
  const module = Math.min(width / (modules + 20), 0.5 * MM);
  let at = x + (width - modules * module) / 2;
  doc.save();
  sbs.forEach((w, i) => {
    if (i % 2 === 0) doc.rect(at, y, w * module, height);
    at += w * module;
  });
  doc.fillColor('black').fill();
  doc.restore();
}
