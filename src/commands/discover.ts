/**
 * Placeholder until discovery lands: the CLI routes `discover` / `--discover` here.
 */
import { TapError } from '../core/errors.js';
import type { CommandContext } from './context.js';

export async function runDiscover(ctx: CommandContext): Promise<void> {
  void ctx;
  throw new TapError('TAP_NOT_AVAILABLE', 'Discovery is not available in this build.', { kind: 'internal' });
}
