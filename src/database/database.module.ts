import { type DynamicModule, Global, Module } from '@nestjs/common';
import { ProcessPresence } from './process-presence.js';
import { DATABASE_CONNECTION, type DatabaseConnection, PrismaService } from './prisma.service.js';

@Global()
@Module({})
export class DatabaseModule {
  static forConnection(connection: DatabaseConnection): DynamicModule {
    return {
      module: DatabaseModule,
      providers: [{ provide: DATABASE_CONNECTION, useValue: connection }, PrismaService, ProcessPresence],
      exports: [PrismaService, DATABASE_CONNECTION, ProcessPresence],
    };
  }
}
