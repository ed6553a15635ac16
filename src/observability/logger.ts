/** The service's logger: JSON lines for machines, or readable lines on a terminal. */
import { pino, type Logger } from 'pino';

export type LogFormat = 'auto' | 'json' | 'pretty';

export function createLogger(level: string): Logger {
  return pino({ level, base: { service: 'memory-engine' } });
}

/**
 * The logger the process writes to stdout with: `auto` is pretty on a terminal and JSON when
 * stdout is a pipe or a file (collectors, tests). pino-pretty is loaded only when it is used.
 */
export async function createProcessLogger(level: string, format: LogFormat, isTerminal = Boolean(process.stdout.isTTY)): Promise<Logger> {
  if (format === 'json' || (format === 'auto' && !isTerminal)) return createLogger(level);
  const { default: pretty } = await import('pino-pretty');
  return pino({ level, base: { service: 'memory-engine' } }, pretty({ colorize: isTerminal, sync: true, translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname,service' }));
}
