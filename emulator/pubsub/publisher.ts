/**
 * Publishes a change event on the bus after every committed create, update, delete and undelete of an
 * object selected for Change Data Capture, and serves topics and schemas.
 *
 * Commits come from the org's commit listener (every write, whichever API made it). Inside
 * `transaction()`, records changed the same way share one event (one event, several
 * `recordIds`), as Salesforce groups them.
 */
import avro from 'avsc';
import type { EmulatedOrg } from '../org/org.js';
import { buildChangeEventSchema, changeEventName, type ChangeEventSchema } from './avro-schema.js';
import { buildChangeEventRecord, type ChangeType, type OrgCommit } from './change-event.js';
import type { EventLog } from './event-log.js';

export type CommitListener = (commit: OrgCommit) => void;

export const ALL_CHANGE_EVENTS = '/data/ChangeEvents';

interface CachedSchema {
  schema: ChangeEventSchema;
  type: avro.Type;
}

/** The org's commits as change event commits; inside `transaction()` they are grouped. */
export function observeOrgCommits(org: EmulatedOrg): { onCommit(listener: CommitListener): () => void; transaction<T>(fn: () => T): T } {
  const listeners = new Set<CommitListener>();
  let batch: OrgCommit[] | undefined;
  org.onCommit((c) => {
    for (const id of c.recordIds) {
      const commit: OrgCommit = {
        sobject: c.sobject,
        changeType: c.changeType.toUpperCase() as ChangeType,
        recordIds: [id],
        changed: c.changeType === 'delete' ? {} : { ...c.values.get(id) },
        nulled: c.nulledFields,
        commitTimestamp: c.commitTimestamp,
        transactionKey: c.transactionKey,
        sequenceNumber: 1,
        commitNumber: c.sequence,
        commitUser: org.userId,
      };
      if (batch) batch.push(commit);
      else for (const l of listeners) l(commit);
    }
  });
  return {
    onCommit(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    transaction(fn) {
      if (batch) return fn();
      batch = [];
      try {
        return fn();
      } finally {
        const commits = batch;
        batch = undefined;
        for (const c of groupCommits(commits)) for (const l of listeners) l(c);
      }
    },
  };
}

/** Records of one transaction changed the same way (same object, type and values) share one event. */
const PER_RECORD = new Set(['Id', 'LastModifiedDate', 'SystemModstamp', 'CreatedDate']);

export function groupCommits(commits: OrgCommit[]): OrgCommit[] {
  const groups = new Map<string, OrgCommit>();
  const key = (c: OrgCommit) => JSON.stringify([c.sobject, c.changeType, Object.entries(c.changed).filter(([k]) => !PER_RECORD.has(k)), c.nulled]);
  const transactionKey = commits[0]?.transactionKey ?? '';
  let sequence = 0;
  for (const c of commits) {
    const existing = groups.get(key(c));
    if (existing && c.changeType !== 'CREATE') existing.recordIds.push(...c.recordIds);
    else groups.set(existing ? `${key(c)}#${c.recordIds[0]}` : key(c), { ...c, recordIds: [...c.recordIds], transactionKey, sequenceNumber: (sequence += 1) });
  }
  return [...groups.values()];
}

export class ChangeEventPublisher {
  #schemas = new Map<string, CachedSchema>();
  #byDescribe = new WeakMap<object, CachedSchema>();
  /** Upper-cased object names selected for CDC, or '*'. */
  #selected: Set<string> | '*';

  constructor(
    private readonly org: EmulatedOrg,
    readonly log: EventLog,
    selected: string[] | '*',
  ) {
    this.#selected = selected === '*' ? '*' : new Set(selected.map((s) => s.toLowerCase()));
  }

  select(objects: string[] | '*'): void {
    this.#selected = objects === '*' ? '*' : new Set(objects.map((s) => s.toLowerCase()));
  }

  isSelected(sobject: string): boolean {
    const d = this.org.describe(sobject);
    if (!d || !d.queryable) return false;
    return this.#selected === '*' || this.#selected.has(d.name.toLowerCase());
  }

  /** `/data/AccountChangeEvent` → `Account`; `/data/ChangeEvents` → '*'; undefined when no such selected topic. */
  topicObject(topic: string): string | undefined {
    if (topic === ALL_CHANGE_EVENTS) return '*';
    const m = /^\/data\/([A-Za-z][A-Za-z0-9_]*?)(__)?ChangeEvent$/.exec(topic);
    if (!m) return undefined;
    const sobject = m[2] ? `${m[1]}__c` : m[1]!;
    const d = this.org.describe(sobject);
    return d && this.isSelected(d.name) && changeEventName(d.name) === topic.slice('/data/'.length) ? d.name : undefined;
  }

  schemaFor(sobject: string): CachedSchema {
    const describe = this.org.describe(sobject)!;
    let cached = this.#byDescribe.get(describe);
    if (!cached) {
      const schema = buildChangeEventSchema(describe);
      cached = this.#schemas.get(schema.schemaId) ?? { schema, type: avro.Type.forSchema(JSON.parse(schema.json) as avro.Schema) };
      this.#schemas.set(schema.schemaId, cached);
      this.#byDescribe.set(describe, cached);
    }
    return cached;
  }

  schemaById(schemaId: string): ChangeEventSchema | undefined {
    return this.#schemas.get(schemaId)?.schema;
  }

  publish(commit: OrgCommit): void {
    if (!this.isSelected(commit.sobject)) return;
    const { schema, type } = this.schemaFor(commit.sobject);
    const payload = type.toBuffer(buildChangeEventRecord(schema, commit));
    this.log.append(commit.sobject, schema.schemaId, payload);
  }
}
