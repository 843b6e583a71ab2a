/**
 * Publishes a change event on the bus after every committed create, update and delete of an
 * object selected for Change Data Capture, and serves topics and schemas.
 *
 * Commits reach it through `CommitSource`: a small interface the org's own commit listener
 * satisfies. `observeOrgCommits` adapts an org whose writes are plain methods, by diffing the
 * record before and after each write. Inside `transaction()`, records changed the same way share
 * one event (one event, several `recordIds`), as Salesforce groups them.
 */
import avro from 'avsc';
import type { EmulatedOrg } from '../org/org.js';
import type { FieldValue } from '../org/types.js';
import { buildChangeEventSchema, changeEventName, type ChangeEventSchema } from './avro-schema.js';
import { buildChangeEventRecord, type ChangeType, type OrgCommit } from './change-event.js';
import type { EventLog } from './event-log.js';

export type CommitListener = (commit: OrgCommit) => void;

export interface CommitSource {
  onCommit(listener: CommitListener): () => void;
}

export const ALL_CHANGE_EVENTS = '/data/ChangeEvents';

interface CachedSchema {
  schema: ChangeEventSchema;
  type: avro.Type;
}

const SKIPPED_IN_DIFF = new Set(['SystemModstamp']);

/** Wraps the org's create/update/delete so each reports its commit. */
export function observeOrgCommits(org: EmulatedOrg): CommitSource & { transaction<T>(fn: () => T): T } {
  const listeners = new Set<CommitListener>();
  let commitNumber = 0;
  let batch: OrgCommit[] | undefined;
  const emit = (commit: OrgCommit) => {
    if (batch) batch.push(commit);
    else for (const l of listeners) l(commit);
  };
  const base = { create: org.create.bind(org), update: org.update.bind(org), delete: org.delete.bind(org) };
  const commitOf = (sobject: string, id: string, changeType: ChangeType, before: Record<string, FieldValue> | undefined): OrgCommit => {
    const after = org.getRecord(sobject, id) ?? {};
    const changed: Record<string, FieldValue> = {};
    const nulled: string[] = [];
    if (changeType !== 'DELETE') {
      for (const [name, v] of Object.entries(after)) {
        if (SKIPPED_IN_DIFF.has(name) || typeof v === 'object' && v !== null) continue;
        const was = before?.[name] ?? null;
        if (before ? v !== was : v !== null) changed[name] = v;
        if (before && v === null && was !== null) nulled.push(name);
      }
    }
    commitNumber += 1;
    const stamp = after['SystemModstamp'];
    return {
      sobject: org.describe(sobject)?.name ?? sobject,
      changeType,
      recordIds: [id],
      changed,
      nulled,
      commitTimestamp: typeof stamp === 'string' ? Date.parse(stamp) : Date.now(),
      transactionKey: `${commitNumber.toString(16).padStart(8, '0')}-${id}`,
      sequenceNumber: 1,
      commitNumber,
      commitUser: org.userId,
    };
  };
  org.create = (sobject, fields) => {
    const result = base.create(sobject, fields);
    emit(commitOf(sobject, result.id, 'CREATE', undefined));
    return result;
  };
  org.update = (sobject, id, fields) => {
    const before = org.getRecord(sobject, id);
    base.update(sobject, id, fields);
    emit(commitOf(sobject, id, 'UPDATE', before));
  };
  org.delete = (sobject, id) => {
    base.delete(sobject, id);
    emit(commitOf(sobject, id, 'DELETE', undefined));
  };
  return {
    onCommit(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    transaction(fn) {
      if (batch) return fn();
      batch = [];
      let commits: OrgCommit[] = [];
      try {
        return fn();
      } finally {
        commits = batch;
        batch = undefined;
        for (const c of groupCommits(commits)) for (const l of listeners) l(c);
      }
    },
  };
}

/** Records of one transaction changed the same way (same object, type and values) share one event. */
export function groupCommits(commits: OrgCommit[]): OrgCommit[] {
  const groups = new Map<string, OrgCommit>();
  const key = (c: OrgCommit) => JSON.stringify([c.sobject, c.changeType, Object.entries(c.changed).filter(([k]) => k !== 'Id' && k !== 'LastModifiedDate' && k !== 'CreatedDate'), c.nulled]);
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
