/**
 * What to select for a stream and how to turn the selected columns back into its records.
 *
 * Compound fields (address, location) are never selected themselves: Bulk API 2.0 refuses them
 * ("Selecting compound data not supported in Bulk Query"). Their components are selected instead
 * and the object is rebuilt, on Bulk and on REST alike, so the same row gives the same record
 * whichever API served it.
 */
import type { FieldDefinition, SelectedStream, ValueKind } from '../catalog/types.js';

export type OutputField =
  | { name: string; column: number }
  | { name: string; compound: 'address' | 'location'; components: Record<string, number> };

export interface ReadPlan {
  /** Columns to SELECT, in order; the CSV header Bulk returns has exactly these names. */
  columns: { name: string; kind: ValueKind }[];
  /** Record keys in order, each a column or a compound rebuilt from columns. */
  output: OutputField[];
  /** Selected fields that neither API can return as values (e.g. base64 on Bulk). */
  bulkUnselectable: string[];
}

/** `BillingStreet` of `BillingAddress` → `street`; `Site__Latitude__s` of `Site__c` → `latitude`. */
export function componentKey(compoundName: string, componentName: string): string {
  const base = compoundName.replace(/__c$/, '').replace(/Address$/, '');
  let rest = componentName.startsWith(base) ? componentName.slice(base.length) : componentName;
  rest = rest.replace(/^_+/, '').replace(/__s$/, '');
  return rest.charAt(0).toLowerCase() + rest.slice(1);
}

export function buildReadPlan(stream: SelectedStream): ReadPlan {
  const byName = new Map<string, FieldDefinition>(stream.definition.fields.map((f) => [f.name, f]));
  const columns: ReadPlan['columns'] = [];
  const columnIndex = new Map<string, number>();
  const bulkUnselectable: string[] = [];

  const addColumn = (name: string): number => {
    const existing = columnIndex.get(name);
    if (existing !== undefined) return existing;
    const field = byName.get(name);
    const index = columns.length;
    columns.push({ name, kind: field?.valueKind ?? 'string' });
    columnIndex.set(name, index);
    if (field && !field.bulkSelectable) bulkUnselectable.push(name);
    return index;
  };

  const output: OutputField[] = [];
  for (const name of stream.fields) {
    const field = byName.get(name);
    if (field?.components && field.components.length > 0) {
      const components: Record<string, number> = {};
      for (const component of field.components) components[componentKey(field.name, component)] = addColumn(component);
      output.push({ name, compound: field.sfType === 'location' ? 'location' : 'address', components });
    } else {
      output.push({ name, column: addColumn(name) });
    }
  }
  return { columns, output, bulkUnselectable };
}
