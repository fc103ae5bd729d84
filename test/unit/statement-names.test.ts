import { StatementNames } from '../../src/database/statement-names.js';

describe('StatementNames', () => {
  it('names the same text the same, in every process, within the 63 bytes Postgres keeps', () => {
    const names = new StatementNames(10);
    const name = names.nameFor('SELECT 1');
    expect(name).toMatch(/^og_[A-Za-z0-9_-]+$/);
    expect(name!.length).toBeLessThanOrEqual(63);
    expect(names.nameFor('SELECT 1')).toBe(name);
    expect(new StatementNames(10).nameFor('SELECT 1')).toBe(name);
    expect(names.nameFor('SELECT 2')).not.toBe(name);
  });

  it('names only so many texts: later ones run unnamed, the named keep their names', () => {
    const names = new StatementNames(3);
    const first = ['a', 'b', 'c'].map((sql) => names.nameFor(`SELECT '${sql}'`));
    expect(first.every((name) => typeof name === 'string')).toBe(true);
    expect(names.nameFor("SELECT 'd'")).toBeUndefined();
    expect(names.nameFor("SELECT 'a'")).toBe(first[0]);
  });
});
