// From a trace (the parser's event log) to what the messages were: start
// line, headers, body, trailers, boundaries and the outcome. Tests state
// their expectations on this.
import type { LuaEvent } from "./bundle.ts";

export interface Message {
  method?: string;
  url?: string;
  status?: string;
  version?: string;
  headers: [string, string][];
  trailers?: [string, string][];
  extensions?: [string, string?][];
  chunks?: number[];
  body: string;
  flags?: number;
  contentLength?: number;
  upgrade?: boolean;
  complete: boolean;
  /** Offsets: where the message began and ended. */
  begin: number;
  end?: number;
}

export interface Summary {
  messages: Message[];
  error?: { code: number; reason: string; off: number };
  finish?: number;
}

export function summarize(events: LuaEvent[]): Summary {
  const messages: Message[] = [];
  const out: Summary = { messages };
  let m: Message | undefined;
  let fields: [string, string][] = [];
  for (const ev of events) {
    switch (ev.e) {
      case "message begin":
        m = { headers: [], body: "", complete: false, begin: ev.off };
        fields = m.headers;
        messages.push(m);
        break;
      case "method": m!.method = ev.data; break;
      case "url": m!.url = ev.data; break;
      case "status": m!.status = ev.data; break;
      case "version": m!.version = ev.data; break;
      case "header_field": fields.push([ev.data!, ""]); break;
      case "header_value": fields[fields.length - 1]![1] += ev.data!; break;
      case "headers complete":
        m!.flags = ev.flags;
        m!.contentLength = ev.length;
        m!.upgrade = ev.upgrade;
        break;
      case "body": m!.body += ev.data!; break;
      case "chunk header":
        (m!.chunks ??= []).push(ev.length!);
        if (ev.length === 0) fields = m!.trailers = [];
        break;
      case "chunk_extension_name": (m!.extensions ??= []).push([ev.data!]); break;
      case "chunk_extension_value": m!.extensions![m!.extensions!.length - 1]![1] = ev.data!; break;
      case "message complete":
        m!.complete = true;
        m!.end = ev.off;
        break;
      case "error": out.error = { code: ev.code!, reason: ev.reason!, off: ev.off }; break;
      case "finish": out.finish = ev.code; break;
      default: break;
    }
  }
  return out;
}
