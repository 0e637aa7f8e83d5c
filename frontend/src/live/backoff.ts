import { ApiError } from '../api';

/**
 * The wait before reconnect attempt n (0-based): exponential from base up to
 * max, with "equal jitter" (half fixed, half random) so that a room of
 * tablets that lost Wi-Fi together does not reconnect in one burst.
 */
export function backoff(attempt: number, rand: () => number = Math.random, base = 500, max = 15000): number {
  const cap = Math.min(max, base * 2 ** Math.min(attempt, 16));
  return Math.round(cap / 2 + rand() * (cap / 2));
}

/** Whether a failed request may succeed if asked again (the network, the server restarting or busy). */
export const transient = (e: unknown): boolean => !(e instanceof ApiError) || e.status === 0 || e.status >= 500 || e.status === 429;
