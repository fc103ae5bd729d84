import { type DynamicModule, Global, Module } from '@nestjs/common';
import { DATABASE_CONNECTION, type DatabaseConnection } from './database-connection.js';
import { Database } from './database.js';
import { EmbeddedMaintenance } from './embedded-maintenance.js';
import { ProcessPresence } from './process-presence.js';

@Global()
@Module({})
export class DatabaseModule {
  static forConnection(connection: DatabaseConnection): DynamicModule {
    return {
      module: DatabaseModule,
      providers: [
        { provide: DATABASE_CONNECTION, useValue: connection },
        Database,
        ProcessPresence,
        EmbeddedMaintenance,
      ],
      exports: [Database, DATABASE_CONNECTION, ProcessPresence],
    };
  }
}
