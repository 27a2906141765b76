/** One pino record, as its JSON line gives it. */
export type LogRecord = Record<string, unknown>;

const LEVELS: Record<number, string> = { 10: 'TRACE', 20: 'DEBUG', 30: 'INFO', 40: 'WARN', 50: 'ERROR', 60: 'FATAL' };

/** Shown in their own form below, or the same on every line (the process, the host, the service). */
const NOT_LISTED = new Set(['level', 'time', 'pid', 'hostname', 'service', 'context', 'msg', 'req', 'res', 'responseTime', 'err']);

/**
 * A log record as one short line for a person at a terminal: local time, level, context, message,
 * the request it is about, then the other fields as name=value; an error's stack on the lines after.
 * Control characters are shown as escapes, so that logged text cannot move the terminal's cursor.
 */
export function humanLogLine(record: LogRecord): string {
  const parts = [typeof record.time === 'number' ? new Date(record.time).toTimeString().slice(0, 8) : '--:--:--'];
  parts.push((LEVELS[record.level as number] ?? String(record.level)).padEnd(5));
  if (record.context) parts.push(`[${printable(String(record.context))}]`);
  if (record.msg !== undefined && record.msg !== '') parts.push(printable(String(record.msg)));
  const req = record.req as { method?: string; url?: string } | undefined;
  if (req?.method) parts.push(printable(`${req.method} ${req.url ?? ''}`));
  const res = record.res as { statusCode?: number } | undefined;
  if (res?.statusCode !== undefined) parts.push(`→ ${res.statusCode}`);
  if (typeof record.responseTime === 'number') parts.push(`${record.responseTime} ms`);
  for (const [name, value] of Object.entries(record))
    if (!NOT_LISTED.has(name) && value !== undefined) parts.push(`${printable(name)}=${shown(value)}`);
  const err = record.err as { message?: string; stack?: string } | undefined;
  if (err?.stack) return [parts.join(' '), ...err.stack.split('\n').map((line) => `    ${printable(line.trim())}`)].join('\n');
  if (err?.message) parts.push(`error=${shown(err.message)}`);
  return parts.join(' ');
}

/** A word as it is; text with spaces or quotes, and anything but text, as JSON. */
function shown(value: unknown): string {
  return typeof value === 'string' && /^[^\s"=]+$/.test(value) ? printable(value) : printable(JSON.stringify(value));
}

function printable(text: string): string {
  return text.replace(/[\u0000-\u001f\u007f-\u009f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
