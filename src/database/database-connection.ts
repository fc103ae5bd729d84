export const DATABASE_CONNECTION = Symbol('DATABASE_CONNECTION');

export interface DatabaseConnection {
  url: string;
  poolSize: number;
  /** The embedded store: one Postgres session behind every connection, one gateway at a time. */
  embedded: boolean;
  /**
   * Whether statements are prepared once per connection under a name (DATABASE_NAMED_STATEMENTS);
   * never on the embedded store. Unset: yes.
   */
  namedStatements?: boolean;
}

/** What the application is started with; the pool settings come from the configuration. */
export type DatabaseConnectionInput = Omit<DatabaseConnection, 'poolSize' | 'namedStatements'>;
