/**
 * Every change to the org's rows is committed here, once, after it is applied: listeners (change
 * events, freshness bookkeeping) see each commit in commit order, whatever API made it.
 */
import { randomUUID } from 'node:crypto';
import type { FieldValue } from './types.js';

export type ChangeType = 'create' | 'update' | 'delete' | 'undelete';

/** One committed change of one object's records, as change data capture reports it. */
export interface OrgCommit {
  /** The object, canonical case (`Account`). */
  sobject: string;
  changeType: ChangeType;
  /** 18-character ids of the records the commit changed. */
  recordIds: string[];
  /**
   * Fields whose value the commit set (for create, every field given a value; for update and
   * delete, the fields written, LastModifiedDate and SystemModstamp included), canonical case.
   */
  changedFields: string[];
  /** Fields the commit set to null (update only). */
  nulledFields: string[];
  /** Values after the commit of `changedFields`, per record id. */
  values: Map<string, Record<string, FieldValue>>;
  /** Epoch ms; the records' SystemModstamp. */
  commitTimestamp: number;
  /** The same for every commit of one transaction. */
  transactionKey: string;
  /** 1, 2, 3, ...: order of commits in this org. */
  sequence: number;
}

export type CommitListener = (commit: OrgCommit) => void;

export class CommitLog {
  private readonly listeners = new Set<CommitListener>();
  private count = 0;

  /** Adds a listener; returns the function that removes it. */
  listen(listener: CommitListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Commits made so far: what was read at one count reads the same while it lasts. */
  get sequence(): number {
    return this.count;
  }

  /** Records a change already applied to the rows and tells every listener. */
  commit(change: Omit<OrgCommit, 'sequence' | 'transactionKey'> & { transactionKey?: string }): OrgCommit {
    this.count += 1;
    const commit: OrgCommit = { ...change, transactionKey: change.transactionKey ?? randomUUID(), sequence: this.count };
    for (const listener of this.listeners) listener(commit);
    return commit;
  }
}
