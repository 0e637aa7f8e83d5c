// An agenda item's conclusion ("Kết luận"), written by the chair or the
// secretary: the cockpit's and the desk's, kept out of the shared api so
// that a delegate's tablet does not load it.
import { request } from './api';
import type { AgendaItem } from './types';

/** Writes an agenda item's conclusion ("" clears it): the PATCH carries the conclusion only. */
export const setConclusion = (itemId: string, conclusion: string) =>
  request<AgendaItem>('PATCH', `/agenda-items/${encodeURIComponent(itemId)}`, { conclusion });

/** The longest conclusion the server keeps, in characters (agenda/items.go). */
export const MAX_CONCLUSION = 10000;

/** A conclusion as a textarea gives it back, without the spaces the server trims: for telling whether it changed. */
export const cleanConclusion = (s: string): string => s.trim().replace(/\r\n?/g, '\n');

/** A conclusion's length as the server counts it: characters (code points), after trimming. */
export const conclusionLength = (s: string): number => [...s.trim()].length;
