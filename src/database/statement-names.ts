import { createHash } from 'node:crypto';

/**
 * Names for SQL statements, so that Postgres parses and plans each once per connection instead
 * of on every request. A name is a prepared statement kept by every connection that ran it, for
 * as long as the connection lives, so the set is bounded: the first `max` distinct texts get
 * names (the hot statements come first and most often), later ones run unnamed. Without the
 * bound, lists asked with ever new combinations of filters could leave thousands of prepared
 * statements in every session.
 */
export class StatementNames {
  private readonly names = new Map<string, string>();

  constructor(private readonly max: number) {}

  /** The statement's name, or undefined: run it unnamed. */
  nameFor(sql: string): string | undefined {
    let name = this.names.get(sql);
    if (name === undefined && this.names.size < this.max) {
      // A digest of the text: the same in every process, and within Postgres's 63 bytes.
      name = `og_${createHash('sha1').update(sql).digest('base64url')}`;
      this.names.set(sql, name);
    }
    return name;
  }
}
