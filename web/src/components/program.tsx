import { useState } from 'react';
import { useQuery } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { api, ok } from '../api/client';

const KEY = 'laptop-loans.program';

/** The program the desk works for: the one chosen on this computer, else the one running today. */
export function useProgram() {
  const [chosen, setChosen] = useState<string | null>(() => localStorage.getItem(KEY));
  const programs = useQuery({
    queryKey: ['programs'],
    queryFn: async () => ok(await api.GET('/api/v1/programs', { params: { query: { limit: 500 } } })).items,
  });
  const today = new Date().toISOString().slice(0, 10);
  const list = programs.data ?? [];
  const program =
    list.find((p) => p.id === chosen) ?? list.find((p) => p.startsOn <= today && today <= p.endsOn) ?? list[0] ?? null;
  const choose = (id: string) => {
    localStorage.setItem(KEY, id);
    setChosen(id);
  };
  return { program, programs: list, choose, loading: programs.isLoading };
}

export function ProgramPicker({ value }: { value: ReturnType<typeof useProgram> }) {
  const { t } = useTranslation();
  if (value.programs.length < 2) return value.program ? <p className="program-name">{value.program.name}</p> : null;
  return (
    <label>
      {t('common.program')}
      <select value={value.program?.id ?? ''} onChange={(e) => value.choose(e.target.value)}>
        {value.programs.map((p) => (
          <option key={p.id} value={p.id}>{p.name}</option>
        ))}
      </select>
    </label>
  );
}
