/**
 * Property-based: catalogs and states taken from a real discovery (catalog-samples/, regenerated
 * from the emulator) and mutated at random — values replaced, keys dropped, entries duplicated —
 * go through the protocol parsers and the selection. Each either succeeds with the meaning it
 * says (no stream twice, only streams the catalog names, every bookmark a timestamp) or fails
 * with one ConfigError line: never a crash (TypeError), never a multi-line message.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { resolveSelection } from '../../../src/catalog/select.js';
import type { JsonSchema, StreamDefinition, ValueKind } from '../../../src/catalog/types.js';
import { TapError } from '../../../src/core/errors.js';
import { airbyteProtocol } from '../../../src/protocol/airbyte/adapter.js';
import { singerProtocol } from '../../../src/protocol/singer/adapter.js';
import type { ProtocolAdapter } from '../../../src/protocol/adapter.js';
import { REPO_ROOT } from '../../helpers/run-tap.js';

const samples = join(REPO_ROOT, 'catalog-samples');
const singerSample = JSON.parse(readFileSync(join(samples, 'singer-catalog.json'), 'utf8')) as { streams: { tap_stream_id: string; schema: { properties: Record<string, { type?: unknown; format?: string }> }; metadata: { breadcrumb: string[]; metadata: Record<string, unknown> }[] }[] };
// The 800-column object makes every mutation slow and teaches nothing more.
const singerCatalog = { streams: singerSample.streams.filter((s) => s.tap_stream_id !== 'Wide_Object__c') };
const airbyteSample = JSON.parse(readFileSync(join(samples, 'airbyte-configured-catalog.json'), 'utf8')) as { streams: { stream: { name: string } }[] };
const airbyteCatalog = { streams: airbyteSample.streams.filter((s) => s.stream.name !== 'Wide_Object__c') };

function kindOf(schema: { type?: unknown; format?: string }): ValueKind {
  const types = (Array.isArray(schema.type) ? schema.type : [schema.type]).filter((t) => t !== 'null');
  if (schema.format === 'date-time') return 'datetime';
  if (schema.format === 'date') return 'date';
  return (['integer', 'number', 'boolean', 'object'].find((t) => types.includes(t)) as ValueKind | undefined) ?? 'string';
}

/** The streams of the sample as discovery defines them. */
const DEFINITIONS: StreamDefinition[] = singerCatalog.streams.map((s) => {
  const root = s.metadata[0]!.metadata;
  const key = root['replication-key'] as string | undefined;
  return {
    name: s.tap_stream_id,
    sobject: s.tap_stream_id,
    custom: false,
    keyProperties: root['table-key-properties'] as string[],
    replicationKey: key,
    validReplicationKeys: (root['valid-replication-keys'] as string[]) ?? [],
    bulkSupported: true,
    hasIsDeleted: true,
    fields: Object.entries(s.schema.properties).map(([name, schema]) => ({ name, sfType: 'string', valueKind: kindOf(schema), schema: schema as JsonSchema, nullable: true, calculated: false, bulkSelectable: true })),
    schema: s.schema as JsonSchema,
  };
});

const STATES: unknown[] = [
  { bookmarks: { Account: { SystemModstamp: '2024-01-01T00:00:00.000Z' }, Contact: { replication_key: 'SystemModstamp', replication_key_value: '2024-02-01T00:00:00Z' } } },
  { singer_state: { bookmarks: { Account: { SystemModstamp: '2024-01-01T00:00:00.000Z', JobID: '750x' } } } },
  [{ type: 'STREAM', stream: { stream_descriptor: { name: 'Account' }, stream_state: { SystemModstamp: '2024-01-01T00:00:00.000+0000' } } }],
];

/** A random JSON value, from a number to a nested object. */
const anyJson = fc.jsonValue({ maxDepth: 3 });

/** Replaces, drops or duplicates one thing at a random path of `value`. */
function mutate(value: unknown, rng: fc.Arbitrary<number>): fc.Arbitrary<unknown> {
  return fc.tuple(fc.array(rng, { minLength: 1, maxLength: 6 }), fc.constantFrom('replace', 'drop', 'duplicate'), anyJson).map(([path, action, replacement]) => {
    const copy = structuredClone(value) as unknown;
    let parent: unknown = null;
    let key: string | number | null = null;
    let node: unknown = copy;
    for (const step of path) {
      if (node === null || typeof node !== 'object') break;
      const keys = Array.isArray(node) ? node.map((_, i) => i) : Object.keys(node);
      if (keys.length === 0) break;
      parent = node;
      key = keys[step % keys.length]!;
      node = (node as Record<string | number, unknown>)[key];
    }
    if (parent === null || key === null) return replacement;
    const container = parent as Record<string | number, unknown>;
    if (action === 'replace') container[key] = replacement;
    else if (action === 'drop') Array.isArray(container) ? container.splice(key as number, 1) : delete container[key];
    else if (Array.isArray(container)) container.push(structuredClone(container[key as number]));
    else container[`${String(key)}_copy`] = structuredClone(container[key]);
    return copy;
  });
}

function expectOneLineConfigError(error: unknown): void {
  expect(error, String((error as Error)?.stack)).toBeInstanceOf(TapError);
  expect((error as TapError).kind).toBe('config');
  expect((error as TapError).message).not.toMatch(/\n/);
}

const index = fc.nat({ max: 1000 });
const runs = { numRuns: 200, seed: Number(process.env.FC_SEED ?? 20261207) };

describe.each([
  ['Singer', singerProtocol, singerCatalog as unknown],
  ['Airbyte', airbyteProtocol, airbyteCatalog],
] as [string, ProtocolAdapter, unknown][])('%s inputs, mutated', (_, protocol, catalog) => {
  it('a catalog selects what it says or fails with one config error line', { timeout: 60_000 }, () => {
    fc.assert(
      fc.property(mutate(catalog, index), (mutated) => {
        try {
          const choices = protocol.parseCatalog(mutated, { selectFieldsByDefault: true });
          const selected = resolveSelection(choices, DEFINITIONS);
          const names = selected.map((s) => s.definition.name);
          expect(new Set(names).size).toBe(names.length);
          for (const s of selected) expect(JSON.stringify(mutated)).toContain(`"${s.definition.name}"`);
        } catch (error) {
          expectOneLineConfigError(error);
        }
      }),
      runs,
    );
  });

  it('a state gives timestamp bookmarks or fails with one config error line', { timeout: 60_000 }, () => {
    fc.assert(
      fc.property(fc.constantFrom(...STATES).chain((state) => mutate(state, index)), (mutated) => {
        try {
          const bookmarks = protocol.parseState(mutated, () => {});
          for (const bookmark of bookmarks.values()) if (bookmark.value !== undefined) expect(Number.isNaN(Date.parse(bookmark.value))).toBe(false);
        } catch (error) {
          expectOneLineConfigError(error);
        }
      }),
      runs,
    );
  });
});
