import { api, ok } from '../api/client';

type PdfPath = '/api/v1/loans/{id}/agreement.pdf' | '/api/v1/loans/{id}/return-receipt.pdf';

/**
 * Fetches a PDF with the operator's token and prints it from a hidden frame of the same page:
 * the print dialog opens over the desk, and the keyboard focus never leaves the desk (a new tab
 * would take the scanner's next keystrokes). Returns the object URL for an "open" link, which
 * is also the way to print where a browser will not print a PDF from a frame.
 */
export async function printPdf(path: PdfPath, loanId: string): Promise<string> {
  const blob = ok(await api.GET(path, { params: { path: { id: loanId } }, parseAs: 'blob' }));
  const url = URL.createObjectURL(blob as Blob);
  printUrl(url);
  return url;
}

export function printUrl(url: string): void {
  let frame = document.getElementById('print-frame') as HTMLIFrameElement | null;
  if (!frame) {
    frame = document.createElement('iframe');
    frame.id = 'print-frame';
    frame.title = 'PDF';
    frame.tabIndex = -1;
    frame.setAttribute('aria-hidden', 'true');
    frame.style.cssText = 'position:fixed;right:0;bottom:0;width:1px;height:1px;border:0;opacity:0;pointer-events:none';
    document.body.appendChild(frame);
  }
  const previous = frame.src;
  frame.onload = () => {
    // Under automation (the browser tests) there is no printer, and headless Chromium's renderer
    // crashes on print() of a PDF frame: the tests check the PDF that reached the frame instead.
    if (navigator.webdriver) return;
    try {
      frame!.contentWindow?.print();
    } catch {
      // The browser keeps PDFs out of frames: the "open" link next to the message prints it.
    }
    if (previous.startsWith('blob:')) URL.revokeObjectURL(previous);
  };
  frame.src = url;
}
