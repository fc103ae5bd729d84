import { Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { PrismaPg } from '@prisma/adapter-pg';
import { Database } from './database.js';
import { PrismaClient } from '../generated/prisma/client.js';

/**
 * Prisma's client, on the same pool as Database, for the reads that are off the hot path (the
 * admin's key listings, status and shipper lists, an order's history pages) and for the tools.
 * Every write and every hot read is plain SQL through Database: see the README's "Where the
 * gateway uses SQL". Only repositories hold it.
 */
@Injectable()
export class PrismaService extends PrismaClient implements OnApplicationShutdown {
  constructor(database: Database) {
    super({
      adapter: new PrismaPg(database.pool, {
        // The pool is Database's: it ends it, after Prisma.
        disposeExternalPool: false,
        // Undefined leaves a statement unnamed (node-postgres takes `name: undefined` so).
        statementNameGenerator: (query) => database.statementName(query.sql) as string,
      }),
      // The other formats capture a stack trace on every query, to quote the calling line in
      // error messages: about a fifth of the CPU a query costs Prisma. Stack traces stay on errors.
      errorFormat: 'minimal',
    });
  }

  async onApplicationShutdown(): Promise<void> {
    await this.$disconnect();
  }
}
