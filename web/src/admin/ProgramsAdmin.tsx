import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { api, ok } from '../api/client';
import { problemMessage } from '../api/messages';
import { ApiProblem } from '../api/problem';
import type { components } from '../api/schema';
import { usePrograms } from '../office/filters';
import { idempotencyKey } from '../office/format';
import { Field, values } from './form';

type Rules = components['schemas']['EligibilityRules'];
type Student = components['schemas']['StudentResponse'];
const LEVELS = ['SD', 'SMP', 'SMA', 'SMK'] as const;
const START: Rules = { grades: { min: 7, max: 9 }, schoolLevels: ['SMP'], enrolmentRequired: true, residencyRequired: false, maxActiveLoans: 1, maxOpenCharges: 0, onePerFamilyCard: false, priority: { socialAid: 100, perGrade: 10, resident: 0 } };

/** A number field's value, or undefined when empty (the API then uses its default). */
const num = (s: string) => (s.trim() === '' ? undefined : Number(s));

/**
 * Programs: the list, and a new program with its rule editor. The rules go to the API's
 * eligibility preview for a sample student as they are edited: the API validates them exactly as
 * it will when the program is created, and says each rule's outcome for that student.
 */
export function ProgramsAdmin() {
  const { t } = useTranslation();
  const queries = useQueryClient();
  const programs = usePrograms();
  const [rules, setRules] = useState<Rules>(START);
  const [dates, setDates] = useState({ startsOn: '', endsOn: '' });
  const [sample, setSample] = useState<Student | null>(null);
  const [done, setDone] = useState('');
  const create = useMutation({
    mutationFn: async (body: components['schemas']['CreateProgramRequest']) => ok(await api.POST('/api/v1/programs', { params: { header: { 'Idempotency-Key': idempotencyKey() } }, body })),
    onSuccess: (p) => {
      setDone(t('admin.programs.created', { code: p.code, name: p.name }));
      void queries.invalidateQueries({ queryKey: ['programs'] });
    },
  });
  const submit = (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    setDone('');
    const v = values(e.currentTarget);
    create.mutate({
      code: v.code ?? '',
      name: v.name ?? '',
      startsOn: v.startsOn ?? '',
      endsOn: v.endsOn ?? '',
      loanDueDate: v.loanDueDate,
      loanDays: v.loanDays ? Number(v.loanDays) : undefined,
      maxExtensions: v.maxExtensions ? Number(v.maxExtensions) : undefined,
      termsText: v.termsText ?? '',
      rules,
    });
  };
  const err = create.error;
  return (
    <div className="admin">
      <form className="card" onSubmit={submit} aria-labelledby="new-program">
        <h2 id="new-program">{t('admin.programs.new')}</h2>
        <div className="row">
          <Field label={t('admin.programs.code')} name="code" error={err} hint={t('admin.programs.codeHint')}>
            <input name="code" required pattern="[A-Z]{2,6}" maxLength={6} />
          </Field>
          <Field label={t('admin.programs.name')} name="name" error={err}>
            <input name="name" required maxLength={200} size={32} />
          </Field>
          <Field label={t('admin.programs.startsOn')} name="startsOn" error={err}>
            <input name="startsOn" type="date" required value={dates.startsOn} onChange={(e) => setDates({ ...dates, startsOn: e.target.value })} />
          </Field>
          <Field label={t('admin.programs.endsOn')} name="endsOn" error={err}>
            <input name="endsOn" type="date" required value={dates.endsOn} onChange={(e) => setDates({ ...dates, endsOn: e.target.value })} />
          </Field>
          <Field label={t('admin.programs.loanDueDate')} name="loanDueDate" error={err} hint={t('admin.programs.dueHint')}>
            <input name="loanDueDate" type="date" />
          </Field>
          <Field label={t('admin.programs.loanDays')} name="loanDays" error={err}>
            <input name="loanDays" type="number" min={1} max={1095} />
          </Field>
          <Field label={t('admin.programs.maxExtensions')} name="maxExtensions" error={err}>
            <input name="maxExtensions" type="number" min={0} max={20} placeholder="2" />
          </Field>
        </div>
        <RuleEditor rules={rules} setRules={setRules} error={err} />
        <Preview rules={rules} dates={dates} sample={sample} setSample={setSample} />
        <Field label={t('admin.programs.terms')} name="termsText" error={err}>
          <textarea name="termsText" required maxLength={50000} rows={5} />
        </Field>
        {create.isError && <p className="error" role="alert">{problemMessage(t, create.error)}</p>}
        {done && <p className="notice" role="status">{done}</p>}
        <button type="submit" className="primary big" disabled={create.isPending}>{t('admin.programs.create')}</button>
      </form>
      <section className="card" aria-labelledby="program-list">
        <h2 id="program-list">{t('admin.programs.list')}</h2>
        <div className="table-wrap" tabIndex={0}>
          <table>
            <thead>
              <tr>
                <th scope="col">{t('admin.programs.code')}</th>
                <th scope="col">{t('admin.programs.name')}</th>
                <th scope="col">{t('admin.programs.runs')}</th>
                <th scope="col">{t('admin.programs.grades')}</th>
                <th scope="col">{t('admin.programs.levels')}</th>
              </tr>
            </thead>
            <tbody>
              {programs.data?.map((p) => (
                <tr key={p.id}>
                  <td>{p.code}</td>
                  <th scope="row">{p.name}</th>
                  <td>{`${p.startsOn} – ${p.endsOn}`}</td>
                  <td>{p.rules.grades ? `${p.rules.grades.min}–${p.rules.grades.max}` : t('admin.programs.all')}</td>
                  <td>{p.rules.schoolLevels?.join(', ') ?? t('admin.programs.all')}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </section>
    </div>
  );
}

function RuleEditor({ rules, setRules, error }: { rules: Rules; setRules: (r: Rules) => void; error: unknown }) {
  const { t } = useTranslation();
  const set = (change: Partial<Rules>) => setRules({ ...rules, ...change });
  const grades = rules.grades ?? { min: 1, max: 12 };
  const priority = rules.priority ?? {};
  return (
    <fieldset className="rules-editor">
      <legend>{t('admin.programs.rules')}</legend>
      <div className="row">
        <Field label={t('admin.programs.gradeMin')} name="rules.grades.min" error={error}>
          <input type="number" min={1} max={12} required value={grades.min} onChange={(e) => set({ grades: { ...grades, min: Number(e.target.value) } })} />
        </Field>
        <Field label={t('admin.programs.gradeMax')} name="rules.grades.max" error={error}>
          <input type="number" min={1} max={12} required value={grades.max} onChange={(e) => set({ grades: { ...grades, max: Number(e.target.value) } })} />
        </Field>
        <Field label={t('admin.programs.maxActiveLoans')} name="rules.maxActiveLoans" error={error}>
          <input type="number" min={1} max={10} value={rules.maxActiveLoans ?? ''} onChange={(e) => set({ maxActiveLoans: num(e.target.value) })} />
        </Field>
        <Field label={t('admin.programs.maxOpenCharges')} name="rules.maxOpenCharges" error={error}>
          <input type="number" min={0} max={1_000_000_000} value={rules.maxOpenCharges ?? ''} onChange={(e) => set({ maxOpenCharges: num(e.target.value) })} />
        </Field>
      </div>
      <fieldset className="row plain">
        <legend>{t('admin.programs.levels')}</legend>
        {LEVELS.map((l) => (
          <label key={l} className="inline">
            <input
              type="checkbox"
              checked={rules.schoolLevels?.includes(l) ?? false}
              onChange={(e) => set({ schoolLevels: e.target.checked ? [...(rules.schoolLevels ?? []), l] : (rules.schoolLevels ?? []).filter((x) => x !== l) })}
            />
            {l}
          </label>
        ))}
      </fieldset>
      <div className="row">
        {(['enrolmentRequired', 'residencyRequired', 'onePerFamilyCard'] as const).map((k) => (
          <label key={k} className="inline">
            <input type="checkbox" checked={rules[k] ?? false} onChange={(e) => set({ [k]: e.target.checked })} />
            {t(`admin.programs.${k}`)}
          </label>
        ))}
      </div>
      <div className="row">
        {(['socialAid', 'perGrade', 'resident'] as const).map((k) => (
          <Field key={k} label={t(`admin.programs.priority_${k}`)} name={`rules.priority.${k}`} error={error}>
            <input type="number" min={0} max={k === 'perGrade' ? 100 : 1000} value={priority[k] ?? ''} onChange={(e) => set({ priority: { ...priority, [k]: num(e.target.value) } })} />
          </Field>
        ))}
      </div>
    </fieldset>
  );
}

/** The live preview: the draft rules for one sample student, found by NISN. */
function Preview({ rules, dates, sample, setSample }: { rules: Rules; dates: { startsOn: string; endsOn: string }; sample: Student | null; setSample: (s: Student | null) => void }) {
  const { t } = useTranslation();
  const [nisn, setNisn] = useState('');
  const [lookupError, setLookupError] = useState<unknown>(null);
  // Asked again a moment after the last change, not on every keystroke.
  const [asked, setAsked] = useState(rules);
  useEffect(() => {
    const timer = setTimeout(() => setAsked(rules), 350);
    return () => clearTimeout(timer);
  }, [rules]);
  const preview = useQuery({
    queryKey: ['eligibility-preview', sample?.id, asked, dates],
    enabled: !!sample,
    placeholderData: keepPreviousData,
    queryFn: async () =>
      ok(await api.POST('/api/v1/programs/eligibility-preview', { body: { studentId: sample!.id, rules: asked, startsOn: dates.startsOn || undefined, endsOn: dates.endsOn || undefined } })),
  });
  const find = async () => {
    setLookupError(null);
    try {
      const found = ok(await api.GET('/api/v1/students', { params: { query: { q: nisn.trim(), limit: 5 } } })).items.find((s) => s.nisn === nisn.trim());
      if (!found) throw new ApiProblem(404, { code: 'student_not_found', detail: t('audit.access.noStudent', { nisn }) });
      setSample(found);
    } catch (error) {
      setLookupError(error);
    }
  };
  const p = preview.data;
  return (
    <section className="preview" aria-labelledby="preview" aria-live="polite">
      <h3 id="preview">{t('admin.programs.preview')}</h3>
      <div className="row">
        <label>
          {t('admin.programs.sampleNisn')}
          <input value={nisn} onChange={(e) => setNisn(e.target.value)} inputMode="numeric" maxLength={10} onKeyDown={(e) => e.key === 'Enter' && (e.preventDefault(), void find())} />
        </label>
        <button type="button" onClick={() => void find()}>{t('admin.programs.tryStudent')}</button>
      </div>
      {lookupError !== null && <p className="field-error" role="alert">{problemMessage(t, lookupError)}</p>}
      {sample && <p>{t('admin.programs.sample', { name: sample.fullName, grade: sample.grade, nisn: sample.nisn })}</p>}
      {preview.isError && (
        <div className="error" role="alert">
          <p>{problemMessage(t, preview.error)}</p>
          {preview.error instanceof ApiProblem && preview.error.errors.length > 0 && (
            <ul>{preview.error.errors.map((e) => <li key={e.field}>{`${e.field}: ${e.message}`}</li>)}</ul>
          )}
        </div>
      )}
      {p && !preview.isError && (
        <>
          <p className={`badge ${p.eligible ? 'ok' : 'bad'}`}>
            {p.eligible ? t('admin.programs.eligible', { priority: p.priority }) : t('admin.programs.notEligible')}
          </p>
          <ul className="rules">
            {p.rules.map((r) => (
              <li key={r.rule} className={r.passed ? undefined : r.severity === 'warn' ? 'warned' : 'failed'}>
                {r.reason}
              </li>
            ))}
          </ul>
        </>
      )}
    </section>
  );
}
