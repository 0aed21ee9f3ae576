import type { Browser, Page } from 'playwright-core';
import type { Request } from './worker.js';

export type Reply<T = unknown> = { ok: true; result: T } | { ok: false; name: string; isUnavailable: boolean; message: string };

export interface ThreadsPage {
  page: Page;
  /** Uncaught errors of the page. */
  errors: string[];
  /** The page's console messages ("type: text"). */
  console: string[];
  isolated(): Promise<boolean>;
  inWorker<T = unknown>(request: Request): Promise<Reply<T>>;
  onMainThread(variant?: 'simd' | 'threads'): Promise<Reply<{ describe: string; threads: number }>>;
  close(): Promise<void>;
}

export const CHROMIUM: string;
export function bundle(): Promise<void>;
export function launch(): Promise<Browser>;
export function openPage(browser: Browser, options: { isolated: boolean }): Promise<ThreadsPage>;
