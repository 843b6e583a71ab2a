/**
 * Placeholder until the read path lands: the CLI routes `read` / `--catalog` / `--properties` here.
 */
import { TapError } from '../core/errors.js';
import type { CommandContext, ReadCommandOptions } from './context.js';

export async function runRead(ctx: CommandContext, options: ReadCommandOptions): Promise<void> {
  void ctx;
  void options;
  throw new TapError('TAP_NOT_AVAILABLE', 'Reading is not available in this build.', { kind: 'internal' });
}
