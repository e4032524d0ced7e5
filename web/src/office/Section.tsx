import { useState, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { problemMessage } from '../api/messages';
import { saveFile } from './format';

/**
 * One report on the dashboards: its heading, its CSV download, and its chart with its table
 * beside it. Until `report` has answered, the card says it is loading (never a zero in place of
 * a figure an auditor would read as real); a failed report says why.
 */
export function Section({ id, title, csv, children, note, report }: { id: string; title: string; csv?: { name: string; get: () => Promise<Blob> }; children: ReactNode; note?: ReactNode; report: { data?: unknown; error: unknown } }) {
  const { t } = useTranslation();
  return (
    <section className="card report" aria-labelledby={id} aria-busy={report.data === undefined}>
      <div className="report-head">
        <h2 id={id}>{title}</h2>
        {csv && <DownloadButton label={t('office.csv', { report: title })} short={t('office.csvShort')} name={csv.name} get={csv.get} />}
      </div>
      {report.error ? (
        <p className="error" role="alert">{problemMessage(t, report.error)}</p>
      ) : report.data === undefined ? (
        <p className="loading" role="status">{t('common.loading')}</p>
      ) : (
        <>
          {note}
          <div className="chart-table">{children}</div>
        </>
      )}
    </section>
  );
}

/** A button that fetches a file from the API and saves it; the failure is said next to it. */
export function DownloadButton({ label, short, name, get, primary }: { label: string; short?: string; name: string; get: () => Promise<Blob>; primary?: boolean }) {
  const { t } = useTranslation();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const run = async () => {
    setBusy(true);
    setError(null);
    try {
      saveFile(await get(), name);
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };
  return (
    <span className="download">
      <button type="button" className={primary ? 'primary' : undefined} onClick={() => void run()} disabled={busy} aria-label={short ? label : undefined}>
        {busy ? t('office.downloading') : (short ?? label)}
      </button>
      {error !== null && <span className="field-error" role="alert">{problemMessage(t, error)}</span>}
    </span>
  );
}

/** A table of figures: the first column names the row, the others are numbers (right-aligned). */
export function FigureTable({ caption, head, rows, foot, text = 1 }: { caption: string; head: string[]; rows: ReactNode[][]; foot?: ReactNode[]; text?: number }) {
  // The first `text` columns are words (left-aligned), the rest numbers.
  const align = (i: number) => (i < text ? 'text' : 'num');
  const { t } = useTranslation();
  return (
    <div className="table-wrap" tabIndex={0}>
      <table>
        <caption className="visually-hidden">{caption}</caption>
        <thead>
          <tr>
            {head.map((h, i) => (
              <th key={h} scope="col" className={align(i)}>{h}</th>
            ))}
          </tr>
        </thead>
        <tbody>
          {rows.length === 0 && (
            <tr>
              <td colSpan={head.length}>{t('common.none')}</td>
            </tr>
          )}
          {rows.map((r, i) => (
            <tr key={i}>
              {r.map((c, j) => (j === 0 ? <th key={j} scope="row">{c}</th> : <td key={j} className={align(j)}>{c}</td>))}
            </tr>
          ))}
        </tbody>
        {foot && (
          <tfoot>
            <tr>
              {foot.map((c, j) => (j === 0 ? <th key={j} scope="row">{c}</th> : <td key={j} className={align(j)}>{c}</td>))}
            </tr>
          </tfoot>
        )}
      </table>
    </div>
  );
}
