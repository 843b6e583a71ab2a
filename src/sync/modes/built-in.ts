/** The read modes a run knows, in order: the first that serves a stream reads it. */
import type { SelectedStream } from '../../catalog/types.js';
import type { AnyReadMode } from '../read-modes.js';
import { fullTableMode } from './full-table.js';
import { incrementalWindowsMode } from './incremental-windows.js';

export const BUILT_IN_READ_MODES: readonly AnyReadMode[] = [incrementalWindowsMode, fullTableMode];

export function modeFor(stream: SelectedStream, modes: readonly AnyReadMode[]): AnyReadMode {
  const mode = modes.find((m) => m.serves(stream));
  if (!mode) throw new RangeError(`No read mode serves stream ${stream.definition.name}`);
  return mode;
}
