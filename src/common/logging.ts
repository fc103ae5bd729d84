import { ConsoleLogger, type LogLevel } from '@nestjs/common';
import type { AppConfig } from '../config/app-config.js';

const LEVELS: Record<AppConfig['LOG_LEVEL'], LogLevel[]> = {
  error: ['fatal', 'error'],
  warn: ['fatal', 'error', 'warn'],
  info: ['fatal', 'error', 'warn', 'log'],
  debug: ['fatal', 'error', 'warn', 'log', 'debug', 'verbose'],
};

/** One JSON object per line on stdout, at the configured level. */
export function createLogger(level: AppConfig['LOG_LEVEL']): ConsoleLogger {
  return new ConsoleLogger({ json: true, logLevels: LEVELS[level], colors: false });
}
