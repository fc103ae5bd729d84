import { type LookupAddress, lookup as dnsLookup } from 'node:dns';
import { BlockList, isIP } from 'node:net';
import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../config/app-config.js';
import { DATABASE_CONNECTION, type DatabaseConnection } from '../database/database-connection.js';

// Where webhooks may go. A receiver is named by a URL a partner app gives, so without a check
// anyone with an API key could make the gateway call its own network: the database, the cloud's
// metadata service (169.254.169.254), an admin port on loopback. Addresses that are not public
// are refused, unless the setting allows them (it does by default only on the embedded store,
// where a local receiver is what one tries first). The check is made on the address connected
// to, resolved once for the connection (see `guardedLookup`), so a name that resolves to a public
// address when registered and to a private one later (DNS rebinding) is refused too.

const NOT_PUBLIC = new BlockList();
for (const [network, prefix] of [
  ['0.0.0.0', 8], // "this network"
  ['10.0.0.0', 8],
  ['100.64.0.0', 10], // carrier-grade NAT
  ['127.0.0.0', 8],
  ['169.254.0.0', 16], // link-local, cloud metadata
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15], // benchmarking
  ['224.0.0.0', 4], // multicast
  ['240.0.0.0', 4], // reserved, broadcast
] as const) {
  NOT_PUBLIC.addSubnet(network, prefix, 'ipv4');
}
for (const [network, prefix] of [
  ['::', 128],
  ['::1', 128],
  ['fc00::', 7], // unique local
  ['fe80::', 10], // link-local
  ['ff00::', 8], // multicast
] as const) {
  NOT_PUBLIC.addSubnet(network, prefix, 'ipv6');
}

/** Whether `address` (an IP literal) is one a webhook must not reach without the setting. */
export function isNotPublic(address: string): boolean {
  const family = isIP(address);
  if (family === 4) return NOT_PUBLIC.check(address, 'ipv4');
  if (family === 6) {
    const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
    if (mapped) return NOT_PUBLIC.check(mapped[1]!, 'ipv4');
    return NOT_PUBLIC.check(address, 'ipv6');
  }
  return true;
}

export class EgressRefusedError extends Error {
  readonly code = 'EGRESS_REFUSED';
}

type LookupCallback = (error: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void;

/**
 * A `lookup` for http.request that resolves the host and refuses it when any of its addresses is
 * not public (unless `allowPrivate`); the connection is made to the address checked.
 */
export function guardedLookup(allowPrivate: boolean) {
  return (hostname: string, options: { all?: boolean; family?: number }, callback: LookupCallback): void => {
    dnsLookup(hostname, { all: true, family: options.family ?? 0 }, (error, addresses) => {
      if (error) return callback(error, []);
      const refused = allowPrivate ? undefined : addresses.find((one) => isNotPublic(one.address));
      if (refused) {
        return callback(new EgressRefusedError(`${hostname} resolves to ${refused.address}, which is not public`), []);
      }
      if (options.all) return callback(null, addresses);
      const [first] = addresses;
      if (!first) return callback(new EgressRefusedError(`${hostname} has no address`), []);
      callback(null, first.address, first.family);
    });
  };
}

/**
 * Why a receiver URL cannot be used, or null: it must be absolute http(s), without credentials,
 * and (unless `allowPrivate`) not name a host that is an address that is not public, or
 * `localhost`. Names are resolved when a delivery connects (see guardedLookup).
 */
export function receiverProblem(raw: string, allowPrivate: boolean): string | null {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return 'must be an absolute URL (https://receiver.example/hook)';
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return 'must be an http or https URL';
  if (url.username || url.password) return 'must not carry a user name or password';
  if (url.hash) return 'must not have a fragment (#...)';
  if (allowPrivate) return null;
  const host = url.hostname.replace(/^\[|\]$/g, '');
  if (isIP(host) ? isNotPublic(host) : /(^|\.)localhost\.?$/i.test(host)) {
    return 'names an address that is not public (loopback, private or link-local); the gateway is set to refuse those (WEBHOOKS_ALLOW_PRIVATE_RECEIVERS)';
  }
  return null;
}

/**
 * The gateway's rule for receivers, as set (WEBHOOKS_ALLOW_PRIVATE_RECEIVERS; unset, private
 * receivers only on the embedded store): checked when a subscription is made or changed, and on
 * every delivery.
 */
@Injectable()
export class ReceiverPolicy {
  readonly allowPrivate: boolean;
  /** The `lookup` every delivery connects through. */
  readonly lookup: ReturnType<typeof guardedLookup>;

  constructor(@Inject(APP_CONFIG) config: AppConfig, @Inject(DATABASE_CONNECTION) connection: DatabaseConnection) {
    this.allowPrivate = config.WEBHOOKS_ALLOW_PRIVATE_RECEIVERS ?? connection.embedded;
    this.lookup = guardedLookup(this.allowPrivate);
  }

  /** Why `url` cannot be a receiver, or null (see receiverProblem). */
  problem(url: string): string | null {
    return receiverProblem(url, this.allowPrivate);
  }
}
