import { pino, type Logger } from 'pino';

export type { Logger };

/**
 * The process logger. pino: structured JSON lines, cheap enough for hot paths
 * at levels that are switched off.
 *
 * @param level - a pino level from LOG_LEVEL.
 * @example const log = createLogger('info')
 */
export function createLogger(level: string, bindings: Record<string, unknown> = {}): Logger {
  return pino({
    level,
    base: { service: 'scrible', ...bindings },
    // Belt and braces: a token must never reach a log line, even by accident.
    redact: { paths: ['token', '*.token', 'authorization', '*.authorization', 'password', '*.password'], censor: '[redacted]' },
  });
}

/** What a security event names; never a token. */
export interface SecurityEvent {
  type:
    | 'auth-failed'
    | 'wrong-password'
    | 'rate-limited'
    | 'message-too-large'
    | 'origin-refused'
    | 'message-rejected'
    | 'connection-limit'
    | 'auth-timeout'
    | 'bad-update'
    | 'structure-refused'
    | 'awareness-refused'
    | 'document-too-large'
    | 'access-revoked'
    | 'invite-refused'
    | 'input-refused'
    | 'upload-refused';
  roomId?: string;
  userId?: string;
  ip?: string;
  reason?: string;
}

/** Logs one security event as a structured warning with `event: 'security'`. */
export function logSecurityEvent(log: Logger, event: SecurityEvent): void {
  log.warn({ event: 'security', ...event }, `security: ${event.type}`);
}
