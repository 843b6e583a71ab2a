/** A half-open range on a datetime field: `field >= start AND field < end` (ISO UTC). */
export interface SyncWindowBounds {
  field: string;
  start: string;
  end: string;
}
