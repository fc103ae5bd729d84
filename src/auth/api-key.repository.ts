import { Injectable } from '@nestjs/common';
import { type Db, PrismaService } from '../database/prisma.service.js';
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

/** Whether the key works now; the database query of usable keys says the same in SQL. */
export function apiKeyState(key: ApiKeyRecord, now = new Date()): 'active' | 'expired' | 'revoked' {
  if (key.revokedAt) return 'revoked';
  if (key.expiresAt && key.expiresAt <= now) return 'expired';
  return 'active';
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

  async page(offset: number, limit: number): Promise<{ total: number; keys: ApiKeyRecord[] }> {
    const [total, rows] = await Promise.all([
      this.prisma.apiKey.count(),
      this.prisma.apiKey.findMany({ orderBy: { id: 'asc' }, skip: offset, take: limit }),
    ]);
    return { total, keys: rows.map(toRecord) };
  }

  async findById(id: number, db: Db = this.prisma): Promise<ApiKeyRecord | null> {
    const row = await db.apiKey.findUnique({ where: { id } });
    return row && toRecord(row);
  }

  async revoke(db: Db, id: number, now: Date): Promise<boolean> {
    const { count } = await db.apiKey.updateMany({ where: { id, revokedAt: null }, data: { revokedAt: now } });
    return count === 1;
  }

  async update(db: Db, id: number, patch: { name?: string; expiresAt?: Date | null }): Promise<ApiKeyRecord | null> {
    const { count } = await db.apiKey.updateMany({ where: { id }, data: patch });
    return count === 1 ? this.findById(id, db) : null;
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
