import type { LogLevel } from './config';

const ORDER: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

// Keys whose values must never reach a log line, whatever a caller passes in.
const SECRET_KEY = /(secret|token|password|authorization|credential|session_?key|access_?key)/i;

function redact(value: unknown, depth = 0): unknown {
  if (depth > 4 || value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.slice(0, 50).map((v) => redact(v, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value))
    out[k] = SECRET_KEY.test(k) ? '[redacted]' : redact(v, depth + 1);
  return out;
}

/** A structured logger: one JSON object per line on stderr. */
export interface Logger {
  debug(msg: string, fields?: Record<string, unknown>): void;
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
}

export function createLogger(level: LogLevel, write: (line: string) => void = batchedStderr()): Logger {
  const threshold = ORDER[level];
  const log = (lvl: LogLevel) => (msg: string, fields?: Record<string, unknown>) => {
    if (ORDER[lvl] < threshold) return;
    const entry = {
      time: new Date().toISOString(),
      level: lvl,
      msg,
      ...(fields ? (redact(fields) as object) : {}),
    };
    write(JSON.stringify(entry) + '\n');
  };
  return { debug: log('debug'), info: log('info'), warn: log('warn'), error: log('error') };
}

/** Describes an unknown thrown value for a log line without its stack or any secret-bearing fields. */
export function describeError(err: unknown): Record<string, unknown> {
  if (err instanceof Error) {
    const meta = (err as { $metadata?: { httpStatusCode?: number; requestId?: string } }).$metadata;
    return {
      errorName: err.name,
      errorMessage: err.message.slice(0, 500),
      ...(meta?.httpStatusCode ? { httpStatus: meta.httpStatusCode } : {}),
      ...(meta?.requestId ? { requestId: meta.requestId } : {}),
    };
  }
  return { errorMessage: String(err).slice(0, 500) };
}

/**
 * Writes log lines to stderr once per turn of the event loop instead of once per line. Writes to a pipe or a file
 * are synchronous in Node, so a busy server paid a system call per tools/call line (about a twentieth of a cached
 * call). Lines keep their order; whatever is pending is written when the process exits.
 */
export function batchedStderr(
  out: { write(text: string): unknown } = process.stderr,
): (line: string) => void {
  let pending: string[] = [];
  const flush = () => {
    if (pending.length === 0) return;
    const text = pending.join('');
    pending = [];
    out.write(text);
  };
  process.on('exit', flush);
  return (line) => {
    if (pending.length === 0) setImmediate(flush);
    pending.push(line);
  };
}
