import { useCallback, useEffect, useState } from 'react';
import type { Api } from '../api/client';
import { ApiError } from '../api/client';

/** What to show a person for a failed request: the server's own words for a 4xx (D33, D34). */
export function messageOf(error: unknown, fallback = 'Something went wrong; try again'): string {
  if (error instanceof ApiError) return error.message;
  if (error instanceof Error && error.message) return error.message;
  return fallback;
}

/** `value`, once it has stopped changing for `ms`. */
export function useDebounced<T>(value: T, ms: number): T {
  const [settled, setSettled] = useState(value);
  useEffect(() => {
    const timer = setTimeout(() => setSettled(value), ms);
    return () => clearTimeout(timer);
  }, [value, ms]);
  return settled;
}

/** A query string of the given parameters, leaving out the empty ones. */
export function queryOf(params: Record<string, string | number | undefined | null>): string {
  const search = new URLSearchParams();
  for (const [name, value] of Object.entries(params)) if (value !== undefined && value !== null && value !== '') search.set(name, String(value));
  const text = search.toString();
  return text ? `?${text}` : '';
}

/** The `items` of a GET that answers a whole list (operators, channels), with its loading and error state; `load` reads it again. */
export function useList<T>(api: Api, path: string): { items: T[]; loading: boolean; error: string | undefined; load: () => Promise<void> } {
  const [items, setItems] = useState<T[]>([]);
  const [loading, setLoading] = useState(true);
  const [error, setError] = useState<string>();
  const load = useCallback(async () => {
    setLoading(true);
    setError(undefined);
    try {
      setItems((await api.get<{ items: T[] }>(path)).items);
    } catch (e) {
      setError(messageOf(e));
    } finally {
      setLoading(false);
    }
  }, [api, path]);
  useEffect(() => void load(), [load]);
  return { items, loading, error, load };
}

