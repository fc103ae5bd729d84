import { readFileSync } from 'node:fs';
import { CONFIG_VARIABLES, InvalidConfigError, loadConfig } from '../../src/config/app-config.js';

const read = (file: string) => readFileSync(new URL(`../../${file}`, import.meta.url), 'utf8');

describe('configuration', () => {
  it('runs on defaults alone, on the embedded store', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({
      HOST: '127.0.0.1',
      PORT: 3000,
      DATABASE_URL: undefined,
      DATA_DIR: './.data',
      MIGRATE_ON_START: true,
    });
  });

  it('parses and checks values', () => {
    const config = loadConfig({
      PORT: '8080',
      MIGRATE_ON_START: 'false',
      DATABASE_URL: 'postgres://u:p@db:5432/orders',
      MAIN_CURRENCY_CODE: 'CZK',
    });
    expect(config).toMatchObject({
      PORT: 8080,
      MIGRATE_ON_START: false,
      DATABASE_URL: 'postgres://u:p@db:5432/orders',
      MAIN_CURRENCY_CODE: 'CZK',
    });
    expect(loadConfig({ DATABASE_URL: '' }).DATABASE_URL).toBeUndefined();
  });

  it('lists every bad variable at once', () => {
    try {
      loadConfig({
        PORT: 'eighty',
        DATABASE_URL: 'mysql://x',
        LOG_LEVEL: 'loud',
        MAIN_CURRENCY_CODE: 'EURO',
        ORDER_URL_TEMPLATE: 'ftp://x',
      });
      throw new Error('expected a failure');
    } catch (error) {
      expect(error).toBeInstanceOf(InvalidConfigError);
      expect((error as InvalidConfigError).problems.map((problem) => problem.split(' ')[0])).toEqual([
        'PORT',
        'DATABASE_URL',
        'LOG_LEVEL',
        'MAIN_CURRENCY_CODE',
        'ORDER_URL_TEMPLATE',
      ]);
    }
  });

  it('is documented in .env.example with the same defaults and descriptions', () => {
    const example = read('.env.example');
    for (const [name, variable] of Object.entries(CONFIG_VARIABLES)) {
      expect(example).toContain(`# ${variable.description}`);
      if (variable.default === undefined) expect(example).toMatch(new RegExp(`^# ${name}=`, 'm'));
      else {
        expect(example).toMatch(
          new RegExp(`^${name}=${variable.default.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`, 'm'),
        );
      }
    }
    const documented = [...example.matchAll(/^#? ?([A-Z_]+)=/gm)].map((match) => match[1]);
    expect(documented.sort()).toEqual(Object.keys(CONFIG_VARIABLES).sort());
  });

  it('is documented in the README', () => {
    const readme = read('README.md');
    for (const name of Object.keys(CONFIG_VARIABLES)) expect(readme).toContain(`\`${name}\``);
  });
});
