import { useState, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { fieldMessage, problemMessage } from '../api/messages';
import { ApiProblem, type FieldError } from '../api/problem';

type Checked = { rows: number; imported: number; rejected: number; errors: FieldError[] };

/**
 * A CSV import in two steps: the file is checked first (the API's `dryRun=true`: nothing is
 * written) and every bad line is listed; only a file the check passed can be imported, and the
 * import sends the same bytes. Fixing a line means choosing the corrected file again.
 */
export function CsvImport({ id, title, help, run, extra, disabled }: {
  id: string;
  title: string;
  help: ReactNode;
  run: (csv: string, dryRun: boolean) => Promise<Checked & Record<string, unknown>>;
  extra?: ReactNode;
  disabled?: boolean;
}) {
  const { t } = useTranslation();
  const [file, setFile] = useState<{ name: string; text: string } | null>(null);
  const [checked, setChecked] = useState<Checked | null>(null);
  const [done, setDone] = useState<Checked | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const errors: FieldError[] = checked?.errors ?? (error instanceof ApiProblem ? error.errors : []);
  const choose = async (f: File | undefined) => {
    setChecked(null);
    setDone(null);
    setError(null);
    setFile(f ? { name: f.name, text: await f.text() } : null);
  };
  const go = async (dryRun: boolean) => {
    if (!file) return;
    setBusy(true);
    setError(null);
    try {
      const result = await run(file.text, dryRun);
      if (dryRun) setChecked(result);
      else {
        setDone(result);
        setChecked(null);
        setFile(null);
      }
    } catch (e) {
      setError(e);
      setChecked(null);
    } finally {
      setBusy(false);
    }
  };
  const rowsRejected = error instanceof ApiProblem && error.code === 'rows_rejected' ? error.params : null;
  return (
    <section className="card" aria-labelledby={id}>
      <h2 id={id}>{title}</h2>
      <div className="muted">{help}</div>
      {extra}
      <label>
        {t('admin.import.file')}
        <input key={done ? 'done' : 'file'} type="file" accept=".csv,text/csv" onChange={(e) => void choose(e.target.files?.[0])} disabled={disabled} />
      </label>
      <div className="row">
        <button type="button" onClick={() => void go(true)} disabled={!file || busy || disabled}>{t('admin.import.check')}</button>
        <button type="button" className="primary" onClick={() => void go(false)} disabled={!checked || checked.errors.length > 0 || busy}>
          {checked ? t('admin.import.importN', { count: checked.imported }) : t('admin.import.import')}
        </button>
      </div>
      {busy && <p role="status">{t('common.loading')}</p>}
      {checked && checked.errors.length === 0 && <p className="notice" role="status">{t('admin.import.ready', { count: checked.imported, rows: checked.rows })}</p>}
      {done && <p className="notice" role="status">{t('admin.import.done', { count: done.imported })}</p>}
      {rowsRejected && <p className="error" role="alert">{t('admin.import.rejected', { rejected: rowsRejected.rejected, rows: rowsRejected.rows })}</p>}
      {error !== null && !rowsRejected && <p className="error" role="alert">{problemMessage(t, error)}</p>}
      {errors.length > 0 && (
        <div className="table-wrap" tabIndex={0}>
          <table>
            <caption>{t('admin.import.errors', { count: errors.length })}</caption>
            <thead>
              <tr>
                <th scope="col" className="num">{t('admin.import.line')}</th>
                <th scope="col">{t('admin.import.column')}</th>
                <th scope="col">{t('admin.import.value')}</th>
                <th scope="col">{t('admin.import.problem')}</th>
              </tr>
            </thead>
            <tbody>
              {errors.map((e, i) => (
                <tr key={i}>
                  <td className="num">{e.line ?? ''}</td>
                  <td><code>{e.field}</code></td>
                  <td>{e.value ?? ''}</td>
                  <td>{fieldMessage(t, e)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
