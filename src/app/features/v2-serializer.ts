/**
 * V2_SERIALIZER: compact line format with a name dictionary and delta-encoded base-36 timestamps.
 *
 *   #mpt2                       header
 *   =0 http.latency             dictionary entry (emitted on first use)
 *   0|Enterprise|acme|api|kq8x1c0|112|route=%2Fv1|00-...|ms
 *                               record: name index|scope|tenant|namespace|ts delta|value|props|traceparent|unit
 *
 * Field separators and "%" are percent-encoded; props are k=v pairs joined by "&".
 */
import { scopeName } from "../core/input.ts";
import type { Metric, Serializer } from "../core/types.ts";

export const V2_HEADER = "#mpt2";

function enc(text: string): string {
  return text.replace(/[%|&=\n\r]/g, (c) => `%${c.charCodeAt(0).toString(16).padStart(2, "0").toUpperCase()}`);
}

function dec(text: string): string {
  return text.replace(/%([0-9A-F]{2})/g, (_, h: string) => String.fromCharCode(parseInt(h, 16)));
}

function signed36(n: number): string {
  return n < 0 ? `-${(-n).toString(36)}` : n.toString(36);
}

export function createV2Serializer(): Serializer {
  return {
    id: "mpt-v2",
    contentType: "text/x-mpt-v2",
    extension: "mpt2",
    serialize(metrics) {
      const names = new Map<string, number>();
      const lines = [V2_HEADER];
      let prevTs = 0;
      for (const m of metrics) {
        let idx = names.get(m.name);
        if (idx === undefined) {
          idx = names.size;
          names.set(m.name, idx);
          lines.push(`=${idx} ${enc(m.name)}`);
        }
        const props = Object.entries(m.props)
          .map(([k, v]) => `${enc(k)}=${enc(v)}`)
          .join("&");
        const fields = [
          String(idx),
          enc(m.scope),
          enc(m.tenant),
          enc(m.namespace),
          signed36(m.ts - prevTs),
          String(m.value),
          props,
          enc(m.traceparent ?? ""),
          enc(m.unit ?? ""),
        ];
        while (fields.length > 6 && fields.at(-1) === "") fields.pop();
        lines.push(fields.join("|"));
        prevTs = m.ts;
      }
      return `${lines.join("\n")}\n`;
    },
    deserialize(text) {
      const lines = text.split("\n");
      if (lines[0] !== V2_HEADER) throw new Error("v2 serializer: missing header");
      const names: string[] = [];
      const out: Metric[] = [];
      let prevTs = 0;
      for (const line of lines.slice(1)) {
        if (line === "") continue;
        if (line.startsWith("=")) {
          const sp = line.indexOf(" ");
          names[Number(line.slice(1, sp))] = dec(line.slice(sp + 1));
          continue;
        }
        const [idx, scope, tenant, namespace, dts, value, props, traceparent, unit] = line.split("|");
        const name = names[Number(idx)];
        if (name === undefined || scope === undefined || !tenant || namespace === undefined || dts === undefined || value === undefined)
          throw new Error(`v2 serializer: bad record: ${line}`);
        prevTs += dts.startsWith("-") ? -parseInt(dts.slice(1), 36) : parseInt(dts, 36);
        const m: Metric = {
          name,
          namespace: dec(namespace),
          scope: scopeName(dec(scope)),
          tenant: dec(tenant),
          ts: prevTs,
          value: Number(value),
          props: {},
        };
        if (props) {
          for (const pair of props.split("&")) {
            const eq = pair.indexOf("=");
            Object.defineProperty(m.props, dec(pair.slice(0, eq)), {
              value: dec(pair.slice(eq + 1)),
              enumerable: true,
              writable: true,
              configurable: true,
            });
          }
        }
        if (traceparent) m.traceparent = dec(traceparent);
        if (unit) m.unit = dec(unit);
        out.push(m);
      }
      return out;
    },
  };
}
