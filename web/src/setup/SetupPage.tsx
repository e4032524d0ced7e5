import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { useQueryClient } from '@tanstack/react-query';
import { api, ok } from '../api/client';
import { ApiProblem } from '../api/problem';
import { fieldMessage, problemMessage } from '../api/messages';
import { useMe } from '../auth/me';
import { useSchool } from '../components/school';
import { ProgramPicker, useProgram } from '../components/program';

/**
 * Getting a school ready for issuing day: the students' Dapodik CSV, (program admins) the
 * devices' CSV, the students' applications to the program, and the allocation run that reserves
 * a device for each. The education office's full set-up pages live elsewhere; this is the
 * morning's short path.
 */
export default function SetupPage() {
  const { t } = useTranslation();
  const me = useMe();
  const { schoolId } = useSchool();
  const program = useProgram();
  const admin = me.data?.role === 'program_admin';
  return (
    <main id="main" className="page setup">
      <div className="row page-head">
        <h1>{t('setup.title')}</h1>
        <ProgramPicker value={program} />
      </div>
      {!schoolId && <p className="error" role="alert">{t('common.pickSchoolFirst')}</p>}
      <div className="grid">
        <CsvImport kind="students" schoolId={schoolId} />
        {admin && <CsvImport kind="devices" schoolId={schoolId} />}
        {program.program && schoolId && <Applications programId={program.program.id} schoolId={schoolId} />}
        {admin && program.program && schoolId && <Allocation programId={program.program.id} schoolId={schoolId} />}
      </div>
    </main>
  );
}

function CsvImport({ kind, schoolId }: { kind: 'students' | 'devices'; schoolId: string | null }) {
  const { t } = useTranslation();
  const queries = useQueryClient();
  const [file, setFile] = useState<File | null>(null);
  const [result, setResult] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  async function submit(event: FormEvent) {
    event.preventDefault();
    if (!file) return;
    setBusy(true);
    setError(null);
    setResult(null);
    try {
      const text = await file.text();
      const options = {
        body: text,
        bodySerializer: (body: unknown) => body as string,
        headers: { 'Content-Type': 'text/csv' },
      };
      const header = { 'Idempotency-Key': crypto.randomUUID() };
      if (kind === 'students') {
        const r = ok(await api.POST('/api/v1/students/import', { ...options, params: { query: { schoolId: schoolId ?? undefined }, header } }));
        setResult(t('setup.studentsImported', { rows: r.rows, created: r.created, updated: r.updated, unchanged: r.unchanged }));
      } else {
        const r = ok(await api.POST('/api/v1/devices/import', { ...options, params: { header } }));
        setResult(t('setup.devicesImported', { rows: r.rows, imported: r.imported }));
      }
      void queries.invalidateQueries();
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  }
  const rows = error instanceof ApiProblem ? error.errors : [];
  return (
    <form className="card" onSubmit={submit}>
      <h2>{t(`setup.${kind}`)}</h2>
      <p className="hint">{t(`setup.${kind}Hint`)}</p>
      <label>
        {t('setup.file')}
        <input type="file" accept=".csv,text/csv" onChange={(e) => setFile(e.target.files?.[0] ?? null)} />
      </label>
      <button type="submit" className="primary" disabled={!file || busy || (kind === 'students' && !schoolId)}>{t('setup.import')}</button>
      {result && <p className="notice" role="status">{result}</p>}
      {error != null && <p className="error" role="alert">{problemMessage(t, error)}</p>}
      {rows.length > 0 && (
        <div className="table-wrap" tabIndex={0} role="region" aria-label={t(`setup.${kind}`)}>
          <table>
            <thead><tr><th scope="col">{t('setup.line')}</th><th scope="col">{t('setup.column')}</th><th scope="col">{t('setup.problem')}</th></tr></thead>
            <tbody>
              {rows.map((r, i) => (
                <tr key={i}><td>{'line' in r ? String(r.line) : ''}</td><td>{r.field}</td><td>{fieldMessage(t, r)}</td></tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </form>
  );
}

/** Registers every enrolled student of the school on the program's list (one application each). */
function Applications({ programId, schoolId }: { programId: string; schoolId: string }) {
  const { t } = useTranslation();
  const [result, setResult] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  async function apply() {
    setBusy(true);
    setError(null);
    let added = 0;
    let skipped = 0;
    try {
      let cursor: string | undefined;
      do {
        const page = ok(await api.GET('/api/v1/students', { params: { query: { schoolId, enrolmentStatus: 'enrolled', limit: 500, cursor } } }));
        for (const s of page.items) {
          try {
            ok(await api.POST('/api/v1/programs/{programId}/applications', { params: { path: { programId }, header: { 'Idempotency-Key': crypto.randomUUID() } }, body: { studentId: s.id } }));
            added++;
          } catch (e) {
            if (!(e instanceof ApiProblem)) throw e;
            skipped++; // already applied, or refused: the API's reason is on the application list
          }
        }
        cursor = page.nextCursor ?? undefined;
      } while (cursor);
      setResult(t('setup.applied', { added, skipped }));
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  }
  return (
    <section className="card">
      <h2>{t('setup.applications')}</h2>
      <p className="hint">{t('setup.applicationsHint')}</p>
      <button type="button" className="primary" onClick={() => void apply()} disabled={busy}>{t('setup.apply')}</button>
      {result && <p className="notice" role="status">{result}</p>}
      {error != null && <p className="error" role="alert">{problemMessage(t, error)}</p>}
    </section>
  );
}

function Allocation({ programId, schoolId }: { programId: string; schoolId: string }) {
  const { t } = useTranslation();
  const queries = useQueryClient();
  const [result, setResult] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  async function run() {
    setBusy(true);
    setError(null);
    try {
      const r = ok(await api.POST('/api/v1/programs/{programId}/allocations', { params: { path: { programId }, header: { 'Idempotency-Key': crypto.randomUUID() } }, body: { schoolId } }));
      const school = r.schools.find((s) => s.schoolId === schoolId);
      setResult(t('setup.allocated', { allocated: r.allocated, waiting: school?.waiting.length ?? 0, ineligible: school?.ineligible.length ?? 0 }));
      void queries.invalidateQueries();
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  }
  return (
    <section className="card">
      <h2>{t('setup.allocation')}</h2>
      <p className="hint">{t('setup.allocationHint')}</p>
      <button type="button" className="primary" onClick={() => void run()} disabled={busy}>{t('setup.allocate')}</button>
      {result && <p className="notice" role="status">{result}</p>}
      {error != null && <p className="error" role="alert">{problemMessage(t, error)}</p>}
    </section>
  );
}
