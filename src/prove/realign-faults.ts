/**
 * Keeps every fault planted across a reformat of the source. A fault's `find` must occur in its file byte for
 * byte, so a formatter that rewrites the file would leave it stale (proof-fault-stale). For each fault in
 * data/: plant it into its file as the file is now, format both texts with the same formatter, and take as
 * the new `find`/`replace` the smallest run of whole lines where the two formatted texts differ, grown a line
 * at a time until it occurs once in the formatted file. Planting that into the formatted file then gives the
 * formatted faulty file: the same fault in the new layout. A fault whose own text is still in the formatted
 * file and plants a program that formats to the same faulty file is kept as it is.
 *
 * Run it on the tree before formatting, then format the tree with the same formatter. The data files are
 * rewritten through yaml's Document API, so comments, key order and scalar styles stay (a block scalar stays
 * a block scalar); a file that would come out laid out differently even without a change is left alone.
 */
import { join } from "node:path";
import { isMap, isScalar, isSeq, parseDocument, type Document, type Scalar, type YAMLMap } from "yaml";
import { writeAtomic } from "../core/fs/write-atomic.ts";
import { findDataFiles } from "../core/load/load-records.ts";
import { readInside } from "../core/fs/safe-fs.ts";
import { Fault } from "../core/schema/fields.ts";
import { plantText, prepareFault } from "./plant-faults.ts";

/** Formats `text` as the file `file` (a path relative to the root): the formatted text, or why it could not. */
export type Formatter = (file: string, text: string) => Promise<{ text: string } | { error: string }>;

export interface FaultText {
  find: string;
  replace: string;
}

const lineStart = (text: string, at: number) => text.lastIndexOf("\n", at - 1) + 1;
const lineEnd = (text: string, at: number) => {
  const nl = text.indexOf("\n", at);
  return nl < 0 ? text.length : nl;
};
const occursOnceAt = (text: string, part: string, at: number) => text.indexOf(part) === at && text.indexOf(part, at + 1) < 0;

/**
 * The smallest run of whole lines of `formatted` that occurs once in it, with what `faulty` has in its place:
 * planted into `formatted`, it gives `faulty`. Undefined when the two are the same.
 */
export function deriveFault(formatted: string, faulty: string): FaultText | undefined {
  if (formatted === faulty) return undefined;
  let prefix = 0;
  const shorter = Math.min(formatted.length, faulty.length);
  while (prefix < shorter && formatted[prefix] === faulty[prefix]) prefix++;
  let suffix = 0;
  while (suffix < shorter - prefix && formatted[formatted.length - 1 - suffix] === faulty[faulty.length - 1 - suffix]) suffix++;
  // The differing region is [prefix, length - suffix) in each text; past it the two texts are the same, so
  // an end in `formatted` is the same place in `faulty` shifted by the difference in length.
  const shift = faulty.length - formatted.length;
  let start = lineStart(formatted, prefix);
  let end = lineEnd(formatted, formatted.length - suffix);
  for (let grow = 0; !occursOnceAt(formatted, formatted.slice(start, end), start); grow++) {
    if (start === 0 && end === formatted.length) break;
    if ((grow % 2 === 0 && end < formatted.length) || start === 0) end = lineEnd(formatted, end + 1);
    else start = lineStart(formatted, start - 1);
  }
  return { find: formatted.slice(start, end), replace: faulty.slice(start, end + shift) };
}

/** Prints a source without layout: strings and template literals keep their text, whitespace between tokens goes. */
const transpiler = new Bun.Transpiler({ loader: "ts", minifyWhitespace: true });

/**
 * Two sources Bun prints the same: the same program laid out differently (a formatter may keep an object
 * expanded in one and put it on one line in the other). False when either does not parse.
 */
function samePrinted(a: string, b: string): boolean {
  try {
    return transpiler.transformSync(a) === transpiler.transformSync(b);
  } catch {
    return false;
  }
}

/**
 * The fault for the formatted file, given the file formatted with and without the fault (`faulty`): the fault
 * itself when it still plants the same program (its text is still there, and the result is `faulty` laid out
 * the same or differently),
 * else the lines deriveFault finds. Undefined when the fault formats away (it only changed layout).
 */
export async function alignFault(
  formatted: string,
  faulty: string,
  fault: FaultText,
  format: (text: string) => Promise<string | undefined>,
): Promise<FaultText | undefined> {
  if (formatted === faulty) return undefined;
  const planted = plantText(formatted, fault.find, fault.replace);
  if (
    planted !== undefined &&
    planted !== formatted &&
    (planted === faulty || samePrinted(planted, faulty) || (await format(planted)) === faulty)
  )
    return fault;
  const derived = deriveFault(formatted, faulty)!;
  if (plantText(formatted, derived.find, derived.replace) !== faulty)
    throw new Error(`realign-faults: a derived fault does not plant what it should (${JSON.stringify(derived.find)})`);
  return derived;
}

export interface RealignOutcome {
  /** The data file and the fault, as `data/security.yaml: Scope Isolation / cross-tenant-read`. */
  fault: string;
  state: "kept" | "realigned" | "skipped";
  /** Why a fault was skipped (stale, a formatter error, a fault that formats away). */
  why?: string;
}

export interface RealignResult {
  outcomes: RealignOutcome[];
  /** Data files rewritten (with `write`) or that would be. */
  changed: string[];
  /** Data files left alone: unreadable, not YAML, or laid out differently by yaml even without a change. */
  refused: { file: string; why: string }[];
}

/** Data files are small; one over this is left alone rather than read. */
const MAX_DATA_BYTES = 4 * 1024 * 1024;

/** Options for yaml's stringifier under which the repository's data files come back byte for byte. */
const KEEP_LAYOUT = { lineWidth: 0, flowCollectionPadding: false, doubleQuotedMinMultiLineLength: Number.MAX_SAFE_INTEGER } as const;

interface FoundFault {
  label: string;
  map: YAMLMap;
  index: number;
}

/** Every map under a `faults:` list of a record's `proof:`, with the record's name for messages. */
function faultMaps(doc: Document, rel: string): FoundFault[] {
  const found: FoundFault[] = [];
  if (!isSeq(doc.contents)) return found;
  for (const record of doc.contents.items) {
    if (!isMap(record)) continue;
    const proof = record.get("proof");
    const faults = isMap(proof) ? proof.get("faults") : undefined;
    if (!isSeq(faults)) continue;
    const name = String(record.get("name") ?? "?");
    faults.items.forEach((map, index) => {
      if (isMap(map)) found.push({ label: `${rel}: ${name} / ${String(map.get("id") ?? index)}`, map, index });
    });
  }
  return found;
}

/** Sets a fault's text, keeping its scalar's style; a text that spans lines becomes a literal block. */
function setText(map: YAMLMap, key: "find" | "replace", value: string): void {
  const node = map.get(key, true) as Scalar | undefined;
  if (!isScalar(node)) {
    map.set(key, value);
    return;
  }
  node.value = value;
  if (value.includes("\n") && (node.type === "PLAIN" || node.type === "QUOTE_SINGLE")) node.type = "BLOCK_LITERAL";
}

/**
 * Realigns every fault of the data files under `root` to what `format` makes of its file. Writes the data
 * files only with `write`; either way says, per fault, whether it was kept, realigned or skipped.
 */
export async function realignFaults(root: string, format: Formatter, options: { write: boolean }): Promise<RealignResult> {
  const result: RealignResult = { outcomes: [], changed: [], refused: [] };
  const formattedFiles = new Map<string, Promise<{ text: string } | { error: string }>>();
  for (const { rel } of findDataFiles(root).files) {
    const read = readInside(root, rel, MAX_DATA_BYTES);
    if ("refusal" in read) {
      result.refused.push({ file: rel, why: read.refusal.message });
      continue;
    }
    const source = new TextDecoder().decode(read.bytes);
    const doc = parseDocument(source);
    if (doc.errors.length) {
      result.refused.push({ file: rel, why: `not valid YAML (npm run check says where): ${doc.errors[0]!.message.split("\n")[0]}` });
      continue;
    }
    let changed = false;
    for (const { label, map, index } of faultMaps(doc, rel)) {
      const parsed = Fault.safeParse(map.toJS(doc));
      if (!parsed.success) {
        result.outcomes.push({ fault: label, state: "skipped", why: "not a valid fault (npm run check says why)" });
        continue;
      }
      const fault = parsed.data;
      const planting = prepareFault(root, fault, index);
      if ("why" in planting) {
        result.outcomes.push({ fault: label, state: "skipped", why: planting.why });
        continue;
      }
      if (!formattedFiles.has(fault.file)) formattedFiles.set(fault.file, format(fault.file, planting.original));
      const [formatted, faulty] = [await formattedFiles.get(fault.file)!, await format(fault.file, planting.planted)];
      if ("error" in formatted || "error" in faulty) {
        const why =
          "error" in formatted
            ? `${fault.file} does not format: ${formatted.error}`
            : `the file with the fault planted does not format: ${(faulty as { error: string }).error}`;
        result.outcomes.push({ fault: label, state: "skipped", why });
        continue;
      }
      const formatText = async (text: string) => {
        const r = await format(fault.file, text);
        return "text" in r ? r.text : undefined;
      };
      const aligned = await alignFault(formatted.text, faulty.text, fault, formatText);
      if (!aligned) {
        result.outcomes.push({
          fault: label,
          state: "skipped",
          why: "the fault only changes layout: formatted, the file is the same with and without it",
        });
        continue;
      }
      if (aligned.find === fault.find && aligned.replace === fault.replace) {
        result.outcomes.push({ fault: label, state: "kept" });
        continue;
      }
      setText(map, "find", aligned.find);
      setText(map, "replace", aligned.replace);
      changed = true;
      result.outcomes.push({ fault: label, state: "realigned" });
    }
    if (!changed) continue;
    if (parseDocument(source).toString(KEEP_LAYOUT) !== source) {
      result.refused.push({ file: rel, why: "yaml would lay it out differently even without a change" });
      continue;
    }
    result.changed.push(rel);
    if (options.write) writeAtomic(join(root, rel), doc.toString(KEEP_LAYOUT), root);
  }
  return result;
}

/**
 * A formatter run as a command: `argv` with `{file}` replaced by the file's path, the text on stdin, the
 * formatted text on stdout (Biome: `biome format --stdin-file-path={file}`). Never through a shell.
 */
export function commandFormatter(root: string, argv: readonly string[], timeoutMs = 60_000): Formatter {
  return async (file, text) => {
    const child = Bun.spawn(
      argv.map((a) => a.replaceAll("{file}", file)),
      { cwd: root, stdin: new TextEncoder().encode(text), stdout: "pipe", stderr: "pipe", timeout: timeoutMs },
    );
    const [out, err, code] = await Promise.all([new Response(child.stdout).text(), new Response(child.stderr).text(), child.exited]);
    if (code !== 0)
      return {
        error:
          err
            .split("\n")
            .find((l) => l.trim() !== "" && !/^[\s━]*$/.test(l))
            ?.trim() ?? `exit ${code}`,
      };
    return { text: out };
  };
}
