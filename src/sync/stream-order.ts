/**
 * The order streams start in. At most `stream_concurrency` run at once, so a big object started
 * last runs alone at the end while the others sit idle: started largest first, the last to
 * start are the small ones (longest-processing-time-first scheduling). Only streams read in full
 * this run (no incremental bookmark) are big; an object without a count (history and sharing
 * objects are not counted by Salesforce) may be big, so it goes first. Ties keep catalog order.
 */
import type { SelectedStream } from '../catalog/types.js';
import type { StreamBookmark } from './events.js';

/** Streams that read their whole history this run: full-table, or incremental without a position yet. */
export function readsInFull(stream: SelectedStream, bookmark: StreamBookmark | undefined): boolean {
  return !stream.replicationKey || bookmark?.value === undefined;
}

export function largestFirst(streams: readonly SelectedStream[], bookmarks: ReadonlyMap<string, StreamBookmark>, counts: ReadonlyMap<string, number>): SelectedStream[] {
  const size = (stream: SelectedStream) => {
    if (!readsInFull(stream, bookmarks.get(stream.definition.name))) return 0;
    return counts.get(stream.definition.sobject.toLowerCase()) ?? Number.POSITIVE_INFINITY;
  };
  return streams
    .map((stream, index) => ({ stream, index, size: size(stream) }))
    .sort((a, b) => (a.size === b.size ? a.index - b.index : b.size - a.size))
    .map((entry) => entry.stream);
}
