import { useCallback, useEffect, useRef, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { useQuery } from '@tanstack/react-query';
import { api, ok } from '../api/client';
import type { components } from '../api/schema';
import { ApiProblem, isNetworkDown } from '../api/problem';
import { fieldMessages, problemMessage } from '../api/messages';
import { ScanField } from '../components/ScanField';
import { useSchool } from '../components/school';
import { ProgramPicker, useProgram } from '../components/program';
import { printPdf, printUrl } from '../components/print';
import { useOutbox } from '../outbox/OutboxProvider';
import { QueuePanel } from '../outbox/QueuePanel';
import { StudentCard } from './StudentCard';
import { SignatureBox, type SignatureHandle } from './SignatureBox';

type Student = components['schemas']['StudentResponse'];
type Device = components['schemas']['DeviceResponse'];
type IssueBody = components['schemas']['IssueLoanRequest'];
const RELATIONS = ['mother', 'father', 'guardian', 'grandparent', 'sibling', 'other'] as const;
type Focus = 'scan' | 'tag' | 'issue';

/**
 * The issuing desk: one screen that stays open for the queue. Scan the NISN (or type a name),
 * read the eligibility, scan the asset tag (or Enter for the reserved device), the guardian
 * signs, Enter issues and the agreement opens for printing; the focus is back on the NISN field.
 */
export default function DeskPage() {
  const { t } = useTranslation();
  const { schoolId } = useSchool();
  const program = useProgram();
  const outbox = useOutbox();
  const scanRef = useRef<HTMLInputElement>(null);
  const tagRef = useRef<HTMLInputElement>(null);
  const issueRef = useRef<HTMLButtonElement>(null);
  const signature = useRef<SignatureHandle>(null);
  const [focus, setFocus] = useState<{ on: Focus; n: number }>({ on: 'scan', n: 0 });
  const focusOn = (on: Focus) => setFocus((f) => ({ on, n: f.n + 1 }));
  useEffect(() => {
    ({ scan: scanRef, tag: tagRef, issue: issueRef })[focus.on].current?.focus();
  }, [focus]);

  const [query, setQuery] = useState('');
  const [matches, setMatches] = useState<Student[]>([]);
  const [student, setStudent] = useState<Student | null>(null);
  const [scanErrors, setScanErrors] = useState<string[]>([]);
  const [tag, setTag] = useState('');
  const [device, setDevice] = useState<Device | null>(null);
  const [tagErrors, setTagErrors] = useState<string[]>([]);
  const [guardian, setGuardian] = useState({ name: '', relation: 'mother', phone: '' });
  const [paper, setPaper] = useState(false);
  const [signed, setSigned] = useState(false);
  const [signatureErrors, setSignatureErrors] = useState<string[]>([]);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const [last, setLast] = useState<{ text: string; loanId?: string; queued?: boolean; pdf?: string } | null>(null);
  /** The attempt being made: its key is reused when the same issue is sent again (a retry). */
  const attempt = useRef<{ key: string; fingerprint: string; signedAt: string } | null>(null);
  const onSigned = useCallback((value: boolean) => setSigned(value), []);

  const programId = program.program?.id;
  const reserved = useQuery({
    queryKey: ['reserved', programId, schoolId, student?.id],
    enabled: !!programId && !!student,
    queryFn: async () => {
      const page = ok(await api.GET('/api/v1/worklists/awaiting-pickup', { params: { query: { programId, schoolId: schoolId ?? undefined, q: student!.nisn } } }));
      return page.items.find((i) => i.studentId === student!.id) ?? null;
    },
  });

  // The same answer the student card shows (one request, shared by TanStack Query).
  const eligibility = useQuery({
    queryKey: ['eligibility', programId, student?.id],
    enabled: !!programId && !!student,
    staleTime: 0,
    queryFn: async () => ok(await api.GET('/api/v1/programs/{programId}/eligibility/{studentId}', { params: { path: { programId: programId!, studentId: student!.id } } })),
  });
  const blocking = eligibility.data && !eligibility.data.eligible ? eligibility.data.rules.filter((r) => !r.passed && r.severity === 'block') : [];

  function reset() {
    setStudent(null);
    setMatches([]);
    setQuery('');
    setTag('');
    setDevice(null);
    setGuardian({ name: '', relation: 'mother', phone: '' });
    setPaper(false);
    signature.current?.clear();
    setError(null);
    setTagErrors([]);
    setSignatureErrors([]);
    attempt.current = null;
  }

  function choose(s: Student) {
    setStudent(s);
    setMatches([]);
    setQuery(s.nisn);
    setTag('');
    setDevice(null);
    setTagErrors([]);
    setError(null);
    setGuardian({ name: s.guardianName ?? '', relation: s.guardianRelation ?? 'mother', phone: s.guardianPhone ?? '' });
    signature.current?.clear();
    focusOn('tag');
  }

  async function findStudent(value: string) {
    setScanErrors([]);
    setLast(null);
    if (!value) return;
    try {
      const page = ok(await api.GET('/api/v1/students', { params: { query: { q: value, schoolId: schoolId ?? undefined, limit: 20 } } }));
      const exact = page.items.find((s) => s.nisn === value);
      if (exact || page.items.length === 1) return choose(exact ?? page.items[0]);
      setStudent(null);
      setMatches(page.items);
      if (!page.items.length) setScanErrors([t('desk.noStudent', { query: value })]);
    } catch (e) {
      setScanErrors([problemMessage(t, e)]);
    }
  }

  async function findDevice(value: string) {
    setTagErrors([]);
    const code = value || reserved.data?.assetTag || '';
    if (!code) return;
    try {
      const found = ok(await api.GET('/api/v1/devices/lookup', { params: { query: { code } } }));
      setDevice(found);
      setTag(found.assetTag);
      focusOn('issue');
    } catch (e) {
      setDevice(null);
      setTagErrors(fieldMessages(t, e, 'code').length ? fieldMessages(t, e, 'code') : [problemMessage(t, e)]);
    }
  }

  async function issue(event: FormEvent) {
    event.preventDefault();
    if (!student || !device || !programId || busy) return;
    const png = paper ? null : signature.current?.png() ?? null;
    if (!paper && !png) {
      setSignatureErrors([t('desk.signatureRequired')]);
      return;
    }
    setSignatureErrors([]);
    const consent = { name: guardian.name.trim(), relation: guardian.relation, method: paper ? 'paper' : 'digital', ...(guardian.phone.trim() ? { phone: guardian.phone.trim() } : {}) } as const;
    const fingerprint = JSON.stringify([programId, student.id, device.id, consent, png]);
    if (attempt.current?.fingerprint !== fingerprint) attempt.current = { key: crypto.randomUUID(), fingerprint, signedAt: new Date().toISOString() };
    const { key, signedAt } = attempt.current;
    const body: IssueBody = { programId, studentId: student.id, deviceId: device.id, guardianConsent: { ...consent, signedAt }, ...(png ? { guardianSignaturePng: png } : {}) };
    const label = `${student.fullName} (${student.nisn}) · ${device.assetTag}`;
    setBusy(true);
    setError(null);
    try {
      const loan = ok(await api.POST('/api/v1/loans', { params: { header: { 'Idempotency-Key': key } }, body }));
      reset();
      setLast({ text: t('desk.issued', { number: loan.agreementNumber, name: label }), loanId: loan.id });
      focusOn('scan');
      const pdf = await printPdf('/api/v1/loans/{id}/agreement.pdf', loan.id).catch(() => null);
      if (pdf) setLast({ text: t('desk.issued', { number: loan.agreementNumber, name: label }), loanId: loan.id, pdf });
    } catch (e) {
      if (isNetworkDown(e)) {
        await outbox.add({ key, kind: 'issue', label, queuedAt: new Date().toISOString(), body });
        reset();
        setLast({ text: t('desk.queued', { name: label }), queued: true });
        focusOn('scan');
      } else {
        setError(e);
      }
    } finally {
      setBusy(false);
    }
  }

  const errorsFor = (field: string) => fieldMessages(t, error, field);
  const shownAtFields = ['guardianConsent', 'guardianSignaturePng'];
  const general = error instanceof ApiProblem && error.errors.some((e) => shownAtFields.some((f) => e.field.startsWith(f))) ? null : error;
  const failedRules = error instanceof ApiProblem ? error.rules.filter((r) => !r.passed && r.severity === 'block') : [];

  return (
    <main id="main" className="page desk">
      <div className="row page-head">
        <h1>{t('desk.title')}</h1>
        <ProgramPicker value={program} />
      </div>
      {!schoolId && <p className="error" role="alert">{t('common.pickSchoolFirst')}</p>}
      {last && (
        <p className={last.queued ? 'notice queued' : 'notice'} role="status">
          {last.text}{' '}
          {last.pdf && (
            <>
              <button type="button" className="link" onClick={() => printUrl(last.pdf!)}>{t('desk.printAgain')}</button>{' '}
              <a href={last.pdf} target="_blank" rel="noopener">{t('desk.openAgreement')}</a>
            </>
          )}
        </p>
      )}
      <div className="grid">
        <section className="card" aria-labelledby="student-heading">
          <h2 id="student-heading">{t('desk.studentStep')}</h2>
          <ScanField
            ref={scanRef}
            id="desk-student"
            label={t('desk.scanStudent')}
            hint={t('desk.scanStudentHint')}
            value={query}
            onChange={setQuery}
            onScan={(v) => void findStudent(v)}
            errors={scanErrors}
            autoFocus
          />
          {matches.length > 0 && (
            <ul className="matches" aria-label={t('desk.matches')}>
              {matches.map((s) => (
                <li key={s.id}>
                  <button type="button" onClick={() => choose(s)}>
                    {s.fullName} · {s.nisn} · {t('desk.classLabel')} {s.className ?? s.grade}
                  </button>
                </li>
              ))}
            </ul>
          )}
          {student && programId && <StudentCard student={student} programId={programId} />}
        </section>

        <form className="card" aria-labelledby="issue-heading" onSubmit={issue} noValidate>
          <h2 id="issue-heading">{t('desk.deviceStep')}</h2>
          {student ? (
            <>
              <ScanField
                ref={tagRef}
                id="desk-device"
                label={t('desk.scanDevice')}
                hint={reserved.data ? t('desk.reservedHint', { tag: reserved.data.assetTag }) : t('desk.scanDeviceHint')}
                value={tag}
                // The reserved tag is shown, not typed in: a scanner's code then never lands
                // after it, and Enter on the empty field takes the reserved device.
                placeholder={reserved.data?.assetTag}
                onChange={(v) => {
                  setTag(v);
                  setDevice(null);
                }}
                onScan={(v) => void findDevice(v)}
                errors={[...tagErrors, ...errorsFor('deviceId')]}
              />
              {device && (
                <dl className="facts">
                  <dt>{t('desk.device')}</dt>
                  <dd>{device.assetTag} · {device.serialNumber}</dd>
                  <dt>{t('desk.deviceState')}</dt>
                  <dd className={device.status === 'in_stock' || device.status === 'reserved' ? '' : 'bad-text'}>
                    {t(`device.status.${device.status}`)} · {t(`device.condition.${device.condition}`)}
                  </dd>
                </dl>
              )}
              <fieldset className="guardian">
                <legend>{t('desk.guardian')}</legend>
                <div className="guardian-fields">
                  <label className="wide">
                    {t('desk.guardianName')}
                    <input value={guardian.name} onChange={(e) => setGuardian({ ...guardian, name: e.target.value })} aria-invalid={errorsFor('guardianConsent.name').length > 0} aria-describedby="guardian-name-error" />
                  </label>
                  <label>
                    {t('desk.guardianRelation')}
                    <select value={guardian.relation} onChange={(e) => setGuardian({ ...guardian, relation: e.target.value })}>
                      {RELATIONS.map((r) => <option key={r} value={r}>{t(`relation.${r}`)}</option>)}
                    </select>
                  </label>
                  <label>
                    {t('desk.guardianPhone')}
                    <input type="tel" value={guardian.phone} onChange={(e) => setGuardian({ ...guardian, phone: e.target.value })} aria-invalid={errorsFor('guardianConsent.phone').length > 0} aria-describedby="guardian-phone-error" />
                  </label>
                </div>
                <p id="guardian-name-error" className="field-error">{errorsFor('guardianConsent.name').join(' ')}</p>
                <p id="guardian-phone-error" className="field-error">{[...errorsFor('guardianConsent.phone'), ...errorsFor('guardianConsent.relation')].join(' ')}</p>
              </fieldset>
              <Terms programId={programId} version={program.program?.termsVersion} />
              <label className="inline">
                <input type="checkbox" checked={paper} onChange={(e) => setPaper(e.target.checked)} />
                {t('desk.paper')}
              </label>
              {!paper && <SignatureBox ref={signature} onChange={onSigned} errors={[...signatureErrors, ...errorsFor('guardianSignaturePng')]} />}
              {general != null && (
                <div className="error" role="alert">
                  <p>{problemMessage(t, general)}</p>
                  {failedRules.length > 0 && <ul>{failedRules.map((r) => <li key={r.rule}>{r.reason}</li>)}</ul>}
                </div>
              )}
              {blocking.length > 0 && general == null && (
                <div className="warning">
                  <p>{t('desk.willBeRefused')}</p>
                  <ul>{blocking.map((r) => <li key={r.rule}>{r.reason}</li>)}</ul>
                </div>
              )}
              {device && (
                <p className="summary">{t('desk.summary', { name: student.fullName, nisn: student.nisn, tag: device.assetTag })}</p>
              )}
              <button ref={issueRef} type="submit" className="primary big" disabled={busy || !device}>
                {busy ? t('desk.issuing') : t('desk.issue')}
              </button>
              {!signed && !paper && device && <p className="hint">{t('desk.signFirst')}</p>}
            </>
          ) : (
            <p className="hint">{t('desk.studentFirst')}</p>
          )}
        </form>
      </div>
      <QueuePanel kind="issue" />
    </main>
  );
}

function Terms({ programId, version }: { programId?: string; version?: number }) {
  const { t } = useTranslation();
  const terms = useQuery({
    queryKey: ['terms', programId, version],
    enabled: !!programId && !!version,
    staleTime: Infinity,
    queryFn: async () => ok(await api.GET('/api/v1/programs/{id}/terms/{version}', { params: { path: { id: programId!, version: version! } } })),
  });
  return (
    <div>
      <p className="label" id="terms-label">{t('desk.terms', { version: version ?? '' })}</p>
      <div className="terms" tabIndex={0} role="region" aria-labelledby="terms-label">
        {terms.data?.text ?? (terms.isError ? problemMessage(t, terms.error) : t('common.loading'))}
      </div>
    </div>
  );
}
