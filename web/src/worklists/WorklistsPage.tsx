import { useState, type FormEvent, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { useQuery, keepPreviousData } from '@tanstack/react-query';
import { Link, useParams } from 'wouter';
import { api, ok } from '../api/client';
import { problemMessage } from '../api/messages';
import { useSchool } from '../components/school';

const LISTS = ['overdue', 'leavers', 'open-charges', 'awaiting-pickup'] as const;
type List = (typeof LISTS)[number];
const rupiah = (n: number) => `Rp${n.toLocaleString('id-ID')}`;

/** A school's four worklists, searched and paged by the API (cursor paging). */
export default function WorklistsPage() {
  const { t } = useTranslation();
  const params = useParams<{ list: string }>();
  const list: List = (LISTS as readonly string[]).includes(params.list) ? (params.list as List) : 'overdue';
  const { schoolId } = useSchool();
  const [typed, setTyped] = useState('');
  const [q, setQ] = useState('');
  const [cursors, setCursors] = useState<(string | undefined)[]>([undefined]);
  const cursor = cursors[cursors.length - 1];

  const page = useQuery({
    queryKey: ['worklist', list, schoolId, q, cursor],
    enabled: !!schoolId,
    placeholderData: keepPreviousData,
    queryFn: async () => {
      const query = { schoolId: schoolId!, q: q || undefined, cursor, limit: 25 };
      switch (list) {
        case 'overdue':
          return { kind: list, ...ok(await api.GET('/api/v1/worklists/overdue', { params: { query } })) } as const;
        case 'leavers':
          return { kind: list, ...ok(await api.GET('/api/v1/worklists/leavers', { params: { query } })) } as const;
        case 'open-charges':
          return { kind: list, ...ok(await api.GET('/api/v1/worklists/open-charges', { params: { query } })) } as const;
        case 'awaiting-pickup':
          return { kind: list, ...ok(await api.GET('/api/v1/worklists/awaiting-pickup', { params: { query } })) } as const;
      }
    },
  });

  const search = (event: FormEvent) => {
    event.preventDefault();
    setQ(typed.trim());
    setCursors([undefined]);
  };

  let table: ReactNode = null;
  const data = page.data?.kind === list ? page.data : null;
  if (data?.kind === 'overdue') {
    table = (
      <Table label={t(`worklists.${list}`)} head={[t('worklists.student'), t('worklists.class'), t('worklists.device'), t('worklists.due'), t('worklists.daysOverdue'), t('worklists.guardian'), t('worklists.reminder')]}
        rows={data.items.map((i) => [i.loanId, `${i.studentName} (${i.nisn})`, `${i.grade} ${i.className ?? ''}`, i.assetTag, i.dueDate, String(i.daysOverdue), `${i.guardianName} ${i.guardianPhone ?? ''}`, i.reminderLevel ? t('worklists.level', { days: i.reminderLevelDays }) + (i.escalated ? ` · ${t('worklists.escalated')}` : '') : t('worklists.noReminder')])} />
    );
  } else if (data?.kind === 'leavers') {
    table = (
      <Table label={t(`worklists.${list}`)} head={[t('worklists.student'), t('worklists.status'), t('worklists.leftAt'), t('worklists.device'), t('worklists.guardian')]}
        rows={data.items.map((i) => [i.loanId, `${i.studentName} (${i.nisn})`, t(`enrolment.${i.enrolmentStatus}`), i.leftAt ?? '-', i.assetTag, `${i.guardianName} ${i.guardianPhone ?? ''}`])} />
    );
  } else if (data?.kind === 'open-charges') {
    table = (
      <Table label={t(`worklists.${list}`)} head={[t('worklists.student'), t('worklists.charge'), t('worklists.amount'), t('worklists.agreement'), t('worklists.daysOpen'), t('worklists.phone')]}
        rows={data.items.map((i) => [i.chargeId, `${i.studentName} (${i.nisn})`, i.description, rupiah(i.amount), i.agreementNumber, String(i.daysOpen), i.guardianPhone ?? '-'])} />
    );
  } else if (data?.kind === 'awaiting-pickup') {
    table = (
      <Table label={t(`worklists.${list}`)} head={[t('worklists.student'), t('worklists.class'), t('worklists.device'), t('worklists.daysWaiting'), t('worklists.guardian')]}
        rows={data.items.map((i) => [i.applicationId, `${i.studentName} (${i.nisn})`, `${i.grade} ${i.className ?? ''}`, i.assetTag, String(i.daysWaiting), `${i.guardianName ?? '-'} ${i.guardianPhone ?? ''}`])} />
    );
  }

  return (
    <main id="main" className="page worklists">
      <h1>{t('worklists.title')}</h1>
      <nav aria-label={t('worklists.lists')} className="tabs">
        <ul>
          {LISTS.map((l) => (
            <li key={l}>
              <Link href={`/worklists/${l}`} aria-current={l === list ? 'page' : undefined} onClick={() => setCursors([undefined])}>{t(`worklists.${l}`)}</Link>
            </li>
          ))}
        </ul>
      </nav>
      {!schoolId && <p className="error" role="alert">{t('common.pickSchoolFirst')}</p>}
      <form className="row search" role="search" onSubmit={search}>
        <label>
          {t('worklists.search')}
          <input type="search" value={typed} onChange={(e) => setTyped(e.target.value)} />
        </label>
        <button type="submit">{t('common.search')}</button>
      </form>
      {page.isError && <p className="error" role="alert">{problemMessage(t, page.error)}</p>}
      <section aria-labelledby="worklist-heading" className="card">
        <h2 id="worklist-heading">{t(`worklists.${list}`)}</h2>
        {data && (data.items.length ? table : <p>{t('common.none')}</p>)}
        {!data && page.isFetching && <p role="status">{t('common.loading')}</p>}
        <div className="row pager">
          <button type="button" disabled={cursors.length < 2} onClick={() => setCursors(cursors.slice(0, -1))}>{t('common.previous')}</button>
          <button type="button" disabled={!data?.nextCursor} onClick={() => data?.nextCursor && setCursors([...cursors, data.nextCursor])}>{t('common.next')}</button>
        </div>
      </section>
    </main>
  );
}

function Table({ head, rows, label }: { head: string[]; rows: string[][]; label?: string }) {
  return (
    <div className="table-wrap" tabIndex={0} role="region" aria-label={label}>
      <table>
        <thead>
          <tr>{head.map((h) => <th key={h} scope="col">{h}</th>)}</tr>
        </thead>
        <tbody>
          {rows.map(([key, ...cells]) => (
            <tr key={key}>{cells.map((c, i) => <td key={i}>{c}</td>)}</tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
