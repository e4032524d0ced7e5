import { describe, expect, it } from '@jest/globals';
import { loadConfig } from '../config/app-config.js';
import { ConfigError } from '../config/environment.js';

const base = { JWT_SECRET: 'x'.repeat(40), DATA_DIR: '/tmp/laptop-loans-unused' };
const settings = (env: Record<string, string>) => loadConfig({ ...base, ...env }).notifications;
const failure = (env: Record<string, string>) => {
  try {
    settings(env);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as ConfigError).message;
  }
  throw new Error('expected a ConfigError');
};

describe('notification settings', () => {
  it('has working defaults: daily at 07:00, levels -3/1/7/14, flag at 30 days, no gateway', () => {
    expect(settings({})).toEqual({
      reminderLevels: [-3, 1, 7, 14],
      reminderCron: '0 7 * * *',
      overdueFlagDays: 30,
      webhookUrl: undefined,
      webhookToken: undefined,
      timeoutMs: 10000,
      maxAttempts: 10,
      retryBaseMs: 60000,
      dispatchIntervalMs: 5000,
    });
  });

  it('keeps the schedule off in tests unless asked for', () => {
    expect(settings({ NODE_ENV: 'test' }).reminderCron).toBeNull();
    expect(settings({ NODE_ENV: 'test', REMINDER_CRON: '30 6 * * 1-5' }).reminderCron).toBe('30 6 * * 1-5');
    expect(settings({ REMINDER_CRON: 'off' }).reminderCron).toBeNull();
  });

  it('sorts the levels it is given', () => {
    expect(settings({ REMINDER_LEVELS: '14, 1,-3,7' }).reminderLevels).toEqual([-3, 1, 7, 14]);
  });

  it.each([
    [{ REMINDER_LEVELS: 'soon' }, 'REMINDER_LEVELS'],
    [{ REMINDER_LEVELS: '1,1,7' }, 'REMINDER_LEVELS'],
    [{ REMINDER_LEVELS: '-3,-1' }, 'REMINDER_LEVELS'],
    [{ REMINDER_LEVELS: '1,999' }, 'REMINDER_LEVELS'],
    [{ REMINDER_CRON: 'daily' }, 'REMINDER_CRON'],
    [{ REMINDER_CRON: '99 7 * * *' }, 'REMINDER_CRON'],
    [{ OVERDUE_FLAG_DAYS: '0' }, 'OVERDUE_FLAG_DAYS'],
    [{ NOTIFY_WEBHOOK_URL: 'ftp://gateway.example.go.id/sms' }, 'NOTIFY_WEBHOOK_URL'],
    [{ NOTIFY_WEBHOOK_TOKEN: 'short' }, 'NOTIFY_WEBHOOK_TOKEN'],
    [{ NOTIFY_MAX_ATTEMPTS: '0' }, 'NOTIFY_MAX_ATTEMPTS'],
  ])('names the bad setting in one line: %j', (env, setting) => {
    expect(failure(env)).toMatch(new RegExp(`^Invalid configuration: ${setting} [^\\n]+$`));
  });

  it('takes a gateway on the local network', () => {
    expect(settings({ NOTIFY_WEBHOOK_URL: 'http://10.0.0.5:8080/sms' }).webhookUrl).toBe('http://10.0.0.5:8080/sms');
  });
});
