import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { PrismaPg } from '@prisma/adapter-pg';
import { PrismaClient, type Prisma } from '../generated/prisma/client.js';

export const DATABASE_CONNECTION = Symbol('DATABASE_CONNECTION');

export interface DatabaseConnection {
  url: string;
  poolSize: number;
  /** The embedded store: one Postgres session behind every connection, one gateway at a time. */
  embedded: boolean;
}

/** What the application is started with; the pool size comes from the configuration. */
export type DatabaseConnectionInput = Omit<DatabaseConnection, 'poolSize'>;

/** A client or the client of an open transaction: what repository methods take. */
export type Db = Prisma.TransactionClient;

@Injectable()
export class PrismaService extends PrismaClient implements OnApplicationShutdown {
  constructor(@Inject(DATABASE_CONNECTION) connection: DatabaseConnection) {
    super({
      adapter: new PrismaPg({ connectionString: connection.url, max: connection.poolSize }),
      // Writes wait for a row lock when many requests change one order; give them time.
      transactionOptions: { maxWait: 10_000, timeout: 20_000 },
    });
  }

  /** Last of all, after the workers have finished their jobs (beforeApplicationShutdown). */
  async onApplicationShutdown(): Promise<void> {
    await this.$disconnect();
  }
}
