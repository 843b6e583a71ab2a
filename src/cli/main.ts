#!/usr/bin/env node
/**
 * The `tap-salesforce` executable: the only code that touches `process`. SIGINT / SIGTERM abort
 * the run's AbortSignal (the read path stops, aborts its Bulk jobs, and keeps the states already
 * emitted) and the process exits 130 / 143; a second signal exits at once.
 */
import { setMaxListeners } from 'node:events';
import { EXIT_SIGINT, EXIT_SIGTERM } from '../core/errors.js';
import { runCli } from './run-cli.js';

const controller = new AbortController();
// Every request in flight listens on the run's signal; dozens at once is normal, not a leak.
setMaxListeners(0, controller.signal);
let signalExit: number | undefined;

function onSignal(name: 'SIGINT' | 'SIGTERM'): void {
  const code = name === 'SIGINT' ? EXIT_SIGINT : EXIT_SIGTERM;
  if (signalExit !== undefined) process.exit(code);
  signalExit = code;
  // runCli logs it: through its logger the line goes above the live progress, not through it.
  controller.abort(new Error(name));
}
process.on('SIGINT', () => onSignal('SIGINT'));
process.on('SIGTERM', () => onSignal('SIGTERM'));
// A closed stdout surfaces through the line writer; this keeps Node from throwing it globally.
process.stdout.on('error', () => {});

const exitCode = await runCli(process.argv.slice(2), {
  stdout: process.stdout,
  stdin: () => process.stdin,
  writeStderr: (text) => process.stderr.write(text),
  ...(process.stderr.isTTY ? { stderrTty: process.stderr } : {}),
  env: process.env,
  signal: controller.signal,
});
process.exitCode = signalExit ?? exitCode;
// Keep-alive sockets or timers left by a failed command must not hold the exit.
setTimeout(() => process.exit(process.exitCode), 2000).unref();
