// What turns a feed row's ids into events' data: one renderer per kind of resource, found by the
// row's type. Alerts have theirs (alert-live.renderer.ts); incidents add one beside it and list it
// in LIVE_RENDERERS (live.module.ts), with triggers of their own writing `incident.*` rows.
import type { Observable } from 'rxjs';

export interface RenderedResource {
  id: string;
  /** The resource as its GET serves it, JSON text. */
  json: string;
}

export interface LiveRenderer {
  /** The event types this renderer serves (`alert.created`, `alert.changed`). */
  readonly types: readonly string[];
  /** The resources with these ids that still exist, in the order of `ids`. */
  render(ids: readonly string[]): Promise<RenderedResource[]>;
}

/** The renderers, collected by LiveModule. */
export const LIVE_RENDERERS = Symbol('LIVE_RENDERERS');

/** What a stream sends: Nest's MessageEvent with the fields we use. */
export interface LiveMessage {
  type?: string;
  id?: string;
  data?: string;
  retry?: number;
  comment?: string;
}

export type LiveStream = Observable<LiveMessage>;
