import { createContext, useContext, useState, type ReactNode } from 'react';
import { useQuery } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { api, ok } from '../api/client';
import { useMe } from '../auth/me';

/**
 * The school the pages work on: a school admin's own; a program admin picks one (remembered on
 * this computer). Auditors read every school and may pick one too.
 */
const KEY = 'laptop-loans.school';
const SchoolContext = createContext<{ schoolId: string | null; setSchoolId: (id: string) => void }>({ schoolId: null, setSchoolId: () => {} });

export function SchoolProvider({ children }: { children: ReactNode }) {
  const me = useMe();
  const [chosen, setChosen] = useState<string | null>(() => localStorage.getItem(KEY));
  const own = me.data?.role === 'school_admin' ? me.data.schoolId : null;
  const setSchoolId = (id: string) => {
    localStorage.setItem(KEY, id);
    setChosen(id);
  };
  return <SchoolContext.Provider value={{ schoolId: own ?? chosen, setSchoolId }}>{children}</SchoolContext.Provider>;
}

export function useSchool() {
  return useContext(SchoolContext);
}

export function useSchools(enabled = true) {
  return useQuery({
    queryKey: ['schools'],
    enabled,
    queryFn: async () => ok(await api.GET('/api/v1/schools', { params: { query: { limit: 500 } } })).items,
  });
}

/** The school picker in the header, for roles that are not tied to one school. */
export function SchoolPicker() {
  const { t } = useTranslation();
  const me = useMe();
  const { schoolId, setSchoolId } = useSchool();
  const schools = useSchools(me.data?.role !== 'school_admin');
  if (me.data?.role === 'school_admin') {
    return null;
  }
  return (
    <label className="school-picker">
      <span>{t('common.school')}</span>
      <select value={schoolId ?? ''} onChange={(e) => setSchoolId(e.target.value)}>
        <option value="" disabled>{t('common.pickSchool')}</option>
        {schools.data?.map((s) => (
          <option key={s.id} value={s.id}>{s.name}</option>
        ))}
      </select>
    </label>
  );
}

/** The name of the signed-in school admin's school (header). */
export function useSchoolName(schoolId: string | null) {
  return useQuery({
    queryKey: ['school', schoolId],
    enabled: !!schoolId,
    staleTime: Infinity,
    queryFn: async () => ok(await api.GET('/api/v1/schools/{id}', { params: { path: { id: schoolId! } } })).name,
  });
}
