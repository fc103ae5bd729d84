import { Injectable } from '@nestjs/common';

/**
 * Set when the gateway starts to shut down (main.ts, on SIGTERM or SIGINT): new requests are
 * answered 503 with `Connection: close` while those in flight finish.
 */
@Injectable()
export class ShutdownState {
  draining = false;

  begin(): void {
    this.draining = true;
  }
}
