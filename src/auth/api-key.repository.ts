import { Injectable } from '@nestjs/common';
import { PrismaService } from '../database/prisma.service.js';
import type { Right } from './rights.js';

export interface ApiKeyRecord {
  id: number;
  name: string;
  prefix: string;
  rights: Right[];
  createdAt: Date;
  expiresAt: Date | null;
  revokedAt: Date | null;
}

export interface NewApiKey {
  name: string;
  prefix: string;
  keyHash: string;
  rights: Right[];
  expiresAt: Date | null;
}

@Injectable()
export class ApiKeyRepository {
  constructor(private readonly prisma: PrismaService) {}

  async insert(key: NewApiKey): Promise<ApiKeyRecord> {
    return toRecord(await this.prisma.apiKey.create({ data: key }));
  }

  async findUsableByHash(keyHash: string, now: Date): Promise<ApiKeyRecord | null> {
    const row = await this.prisma.apiKey.findFirst({
      where: { keyHash, revokedAt: null, OR: [{ expiresAt: null }, { expiresAt: { gt: now } }] },
    });
    return row && toRecord(row);
  }

  async list(): Promise<ApiKeyRecord[]> {
    return (await this.prisma.apiKey.findMany({ orderBy: { id: 'asc' } })).map(toRecord);
  }

  async revoke(id: number, now: Date): Promise<boolean> {
    const { count } = await this.prisma.apiKey.updateMany({ where: { id, revokedAt: null }, data: { revokedAt: now } });
    return count === 1;
  }

  async count(): Promise<number> {
    return this.prisma.apiKey.count();
  }
}

function toRecord(row: {
  id: number;
  name: string;
  prefix: string;
  rights: string[];
  createdAt: Date;
  expiresAt: Date | null;
  revokedAt: Date | null;
}): ApiKeyRecord {
  return {
    id: row.id,
    name: row.name,
    prefix: row.prefix,
    rights: row.rights as Right[],
    createdAt: row.createdAt,
    expiresAt: row.expiresAt,
    revokedAt: row.revokedAt,
  };
}
