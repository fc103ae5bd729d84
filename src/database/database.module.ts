import { type DynamicModule, Global, Module } from '@nestjs/common';
import { DATABASE_CONNECTION, type DatabaseConnection, PrismaService } from './prisma.service.js';

@Global()
@Module({})
export class DatabaseModule {
  static forConnection(connection: DatabaseConnection): DynamicModule {
    return {
      module: DatabaseModule,
      providers: [{ provide: DATABASE_CONNECTION, useValue: connection }, PrismaService],
      exports: [PrismaService, DATABASE_CONNECTION],
    };
  }
}
