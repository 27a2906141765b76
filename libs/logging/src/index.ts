export { humanLogLine } from './human-log-line';
export type { LogRecord } from './human-log-line';
export { loggingTo } from './terminal-logging';
