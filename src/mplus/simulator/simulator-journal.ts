import { closeSync, existsSync, openSync, readFileSync, renameSync, statSync, writeFileSync, writeSync } from 'node:fs';
import type { SimulatorChanges, SimulatorState, SimulatorStore } from './simulator-store.js';

// The simulator's state on disk, for the embedded default: a snapshot (`<file>`) and a journal
// (`<file>.journal`) that gets one line per change, the orders and relations it touched as they
// are after it. A change costs an append of what it touched, not a rewrite of everything, so the
// simulator stays as fast at a hundred thousand orders as at ten. Starting reads the snapshot and
// replays the journal; once the journal has grown past the snapshot (and at least a megabyte), it
// is folded into a new snapshot, so reading back stays proportional to the state.
//
// Written as the operation's answer leaves, without fsync: a machine crash may lose the last
// changes, as the simulator's earlier whole-file state could.

const MIN_COMPACT_BYTES = 1024 * 1024;

export class SimulatorJournal {
  private readonly journalFile: string;
  private fd: number | undefined;
  private journalBytes = 0;
  private snapshotBytes = 0;

  constructor(private readonly stateFile: string) {
    this.journalFile = `${stateFile}.journal`;
  }

  /** The stored state into `store`: the snapshot, then the journal's changes in order. */
  loadInto(store: SimulatorStore): void {
    try {
      store.restore(JSON.parse(readFileSync(this.stateFile, 'utf8')) as SimulatorState);
      this.snapshotBytes = statSync(this.stateFile).size;
    } catch {
      // No snapshot yet (or an unreadable one): the journal alone, on a fresh administration.
    }
    if (existsSync(this.journalFile)) {
      const text = readFileSync(this.journalFile, 'utf8');
      this.journalBytes = Buffer.byteLength(text);
      for (const line of text.split('\n')) {
        if (!line) continue;
        let changes: SimulatorChanges;
        try {
          changes = JSON.parse(line) as SimulatorChanges;
        } catch {
          // A line cut short by a crash: nothing after it can have been written after it.
          break;
        }
        store.apply(changes);
      }
    }
    store.takeChanges();
  }

  /** Appends what the store changed since the last call; folds the journal in when it has grown. */
  record(store: SimulatorStore): void {
    const changes = store.takeChanges();
    if (!changes) return;
    const line = `${JSON.stringify(changes)}\n`;
    this.fd ??= openSync(this.journalFile, 'a');
    writeSync(this.fd, line);
    this.journalBytes += Buffer.byteLength(line);
    if (this.journalBytes > Math.max(MIN_COMPACT_BYTES, this.snapshotBytes)) this.snapshot(store);
  }

  /** A new snapshot of the whole state, and an empty journal. */
  snapshot(store: SimulatorStore): void {
    store.takeChanges();
    const text = JSON.stringify(store.snapshot());
    const temporary = `${this.stateFile}.tmp`;
    writeFileSync(temporary, text);
    renameSync(temporary, this.stateFile);
    this.snapshotBytes = Buffer.byteLength(text);
    this.close();
    writeFileSync(this.journalFile, '');
    this.journalBytes = 0;
  }

  close(): void {
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
  }
}
