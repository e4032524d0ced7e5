import './office.css';
import { useTranslation } from 'react-i18next';
import { api, ok } from '../api/client';
import { useMe } from '../auth/me';
import { useSchools } from '../components/school';
import { useFilters, usePrograms } from './filters';
import { todayWib } from './format';
import { DownloadButton } from './Section';

/**
 * The evidence pack: one ZIP for a program (optionally one school) that an auditor checks
 * offline without trusting the server (docs/evidence-pack.md). Making one is itself audited.
 */
export default function EvidencePage() {
  const { t } = useTranslation();
  const me = useMe();
  const [filters, set] = useFilters();
  const programs = usePrograms();
  const schools = useSchools(me.data?.role !== 'school_admin');
  const programId = filters.program || programs.data?.[0]?.id || '';
  const program = programs.data?.find((p) => p.id === programId);
  const school = schools.data?.find((s) => s.id === filters.school);
  const name = `evidence-pack-${program?.code ?? 'program'}${school ? `-${school.npsn}` : ''}-${todayWib()}.zip`;
  const get = async () =>
    ok(await api.GET('/api/v1/reports/evidence-pack.zip', { params: { query: { programId, schoolId: filters.school || undefined } }, parseAs: 'blob' }));
  return (
    <main id="main" className="page office">
      <h1>{t('office.evidence.title')}</h1>
      <p>{t('office.evidence.intro')}</p>
      <form className="card" onSubmit={(e) => e.preventDefault()} aria-label={t('office.evidence.title')}>
        <div className="row">
          <label>
            {t('office.filters.program')}
            <select value={programId} onChange={(e) => set({ program: e.target.value })}>
              {programs.data?.map((p) => (
                <option key={p.id} value={p.id}>{`${p.code} · ${p.name}`}</option>
              ))}
            </select>
          </label>
          {me.data?.role !== 'school_admin' && (
            <label>
              {t('office.filters.school')}
              <select value={filters.school} onChange={(e) => set({ school: e.target.value })}>
                <option value="">{t('office.evidence.wholeCity')}</option>
                {schools.data?.map((s) => (
                  <option key={s.id} value={s.id}>{s.name}</option>
                ))}
              </select>
            </label>
          )}
        </div>
        <DownloadButton primary label={t('office.evidence.download')} name={name} get={get} />
      </form>
      <section className="card" aria-labelledby="inside">
        <h2 id="inside">{t('office.evidence.insideTitle')}</h2>
        <ul>
          {(['summary', 'reports', 'register', 'charges', 'chain', 'manifest'] as const).map((k) => (
            <li key={k}>{t(`office.evidence.inside.${k}`)}</li>
          ))}
        </ul>
        <h2>{t('office.evidence.verifyTitle')}</h2>
        <p>{t('office.evidence.verifyText')}</p>
        <pre className="commands">{`unzip ${name} -d pack && cd pack\nsha256sum -c MANIFEST.sha256\nnode /path/to/laptop-loans/scripts/verify-evidence-pack.mjs .`}</pre>
      </section>
    </main>
  );
}
