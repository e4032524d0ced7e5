import { api, ok } from '../api/client';

/**
 * Fetches a PDF with the operator's token and opens it in a new tab for printing. Returns the
 * object URL (kept for a "print again" link) and whether the browser let the tab open.
 */
export async function openPdf(path: '/api/v1/loans/{id}/agreement.pdf' | '/api/v1/loans/{id}/return-receipt.pdf', loanId: string) {
  const blob = ok(await api.GET(path, { params: { path: { id: loanId } }, parseAs: 'blob' }));
  const url = URL.createObjectURL(blob as Blob);
  const opened = window.open(url, '_blank');
  return { url, opened: !!opened };
}
