import { asCsv, Tabular } from '@capflow/queries';
import type { Response } from 'express';

export const TABULAR_FORMATS = ['json', 'csv'] as const;
export type TabularFormat = (typeof TABULAR_FORMATS)[number];

/** A report as JSON (exactly what the command line prints with --json), or its rows as CSV. */
export function reportResponse<T>(response: Response, report: T, format: TabularFormat, tabular: Tabular<T>, name: string): T | string {
  if (format === 'json') return report;
  response.setHeader('Content-Type', 'text/csv; charset=utf-8');
  response.setHeader('Content-Disposition', `attachment; filename="${name}.csv"`);
  return asCsv(tabular, report);
}
