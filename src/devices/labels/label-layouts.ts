/**
 * Label sheets the service prints on (A4, millimetres), named by columns x rows. The sizes are
 * the common self-adhesive sheets sold for asset tags: 3x8 is 70 x 37 mm edge to edge, 2x7 is
 * 99.1 x 38.1 mm with gutters (the usual "L7163" sheet).
 */
export interface LabelLayout {
  columns: number;
  rows: number;
  width: number;
  height: number;
  top: number;
  left: number;
  gapX: number;
  gapY: number;
}

export const LABEL_LAYOUTS = {
  '3x8': { columns: 3, rows: 8, width: 70, height: 37, top: 0.5, left: 0, gapX: 0, gapY: 0 },
  '2x7': { columns: 2, rows: 7, width: 99.1, height: 38.1, top: 15.15, left: 4.65, gapX: 2.5, gapY: 0 },
} as const satisfies Record<string, LabelLayout>;

export type LabelLayoutName = keyof typeof LABEL_LAYOUTS;
export const LABEL_LAYOUT_NAMES = Object.keys(LABEL_LAYOUTS) as LabelLayoutName[];

export const MM = 72 / 25.4;
