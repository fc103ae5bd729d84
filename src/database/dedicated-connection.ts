import { Logger } from '@nestjs/common';
import pg from 'pg';

const RECONNECT_MS = 1000;

export interface DedicatedConnectionHandlers {
  /** The connection is open (again): set up its session state (locks, LISTEN). */
  opened(client: pg.Client): Promise<void>;
  /** The connection is gone; a new one is being made. */
  lost(): void;
}

/**
 * A Postgres connection of its own, outside the pool, for session state that must live as long
 * as the process: advisory locks, LISTEN. When it drops, it says so and reconnects every second
 * until the process stops.
 */
export class DedicatedConnection {
  private readonly logger: Logger;
  private client: pg.Client | undefined;
  private connecting = false;
  private reconnect: NodeJS.Timeout | undefined;
  private closed = false;

  constructor(
    private readonly url: string,
    private readonly applicationName: string,
    private readonly handlers: DedicatedConnectionHandlers,
  ) {
    this.logger = new Logger(applicationName);
  }

  /** The open connection, if there is one now. */
  get current(): pg.Client | undefined {
    return this.client;
  }

  open(): void {
    if (this.closed || this.reconnect || this.connecting || this.client) return;
    this.connecting = true;
    const client = new pg.Client({
      connectionString: this.url,
      application_name: this.applicationName,
      keepAlive: true,
    });
    const lost = () => {
      if (this.client !== client) return;
      this.client = undefined;
      void client.end().catch(() => undefined);
      this.handlers.lost();
      this.retry();
    };
    client.on('error', lost);
    client.on('end', lost);
    client.connect().then(
      async () => {
        this.connecting = false;
        this.client = client;
        try {
          await this.handlers.opened(client);
        } catch (error) {
          // Ending the connection counts as losing it: `lost` is told and a new one is made.
          this.logger.warn(`Setting up the connection failed: ${(error as Error).message}`);
          void client.end().catch(() => undefined);
        }
      },
      (error: unknown) => {
        this.connecting = false;
        this.logger.warn(`Cannot connect yet: ${(error as Error).message}`);
        void client.end().catch(() => undefined);
        this.retry();
      },
    );
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.reconnect) clearTimeout(this.reconnect);
    const client = this.client;
    this.client = undefined;
    await client?.end().catch(() => undefined);
  }

  private retry(): void {
    if (this.closed || this.reconnect) return;
    this.reconnect = setTimeout(() => {
      this.reconnect = undefined;
      this.open();
    }, RECONNECT_MS);
    this.reconnect.unref();
  }
}
