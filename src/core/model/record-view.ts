/**
 * Named, narrow projections of the records, for tests that need a few fields of a few kinds (the behaviour
 * proofs read variant flags and control limits, never a status or a description). A proof whose tests reach
 * the records only through a view depends on the view's values, not on the bytes of data/: editing a flag's
 * status, owner or prose leaves those proofs fresh, while changing a limit or a variant's flags stales them.
 * Each view is loaded through a module of its own (VIEW_MODULES, src/core/model/views/), so a proof's module
 * graph says which views its tests read: src/core/model/proof-inputs.ts lists each as the input
 * `records:<name>`; anything else in a proof's graph that loads the records (this module's generic
 * loadRecordView included) makes the whole of data/ an input.
 */
import type { Kind, RecordOf } from "../schema/kinds.ts";
import { loadModel, type Model } from "./model.ts";

type Fields = { readonly [K in Kind]?: readonly (keyof RecordOf<K> & string)[] };

export const RECORD_VIEWS = {
  /** What the behaviour and example proofs build and check: variant flags, control flags and limits, flag names. */
  behaviour: {
    variants: ["name", "entry", "features"],
    security: ["name", "flags", "limits"],
    features: ["name"],
  },
  /**
   * What the generated build files are made of (the package.json `build:<variant>` scripts and the CI
   * workflow): each variant's name, entry, flags and script. The emitters take this view, so the compiler
   * refuses one reading a field the view does not hold and the view's digest stays honest.
   */
  build: {
    variants: ["name", "entry", "features", "script"],
  },
} as const satisfies Record<string, Fields>;

export type ViewName = keyof typeof RECORD_VIEWS;

/** The module each view is loaded through, as a proof's module graph names it. */
export const VIEW_MODULES: { readonly [V in ViewName]: string } = {
  behaviour: "src/core/model/views/behaviour.ts",
  build: "src/core/model/views/build.ts",
};

/** The records of view `V`: each listed kind, each record reduced to the listed fields. */
export type RecordView<V extends ViewName> = {
  readonly [K in keyof (typeof RECORD_VIEWS)[V] & Kind]: readonly Pick<
    RecordOf<K>,
    (typeof RECORD_VIEWS)[V][K] extends readonly (infer F)[] ? F & keyof RecordOf<K> : never
  >[];
};

const INPUT_PREFIX = "records:";

/** A view as a proof input (`records:behaviour` …). */
export const viewInput = (name: ViewName): string => `${INPUT_PREFIX}${name}`;

export const isViewInput = (input: string): boolean => input.startsWith(INPUT_PREFIX);

export function projectView<V extends ViewName>(model: Model, name: V): RecordView<V> {
  const fields: Fields = RECORD_VIEWS[name];
  const out: Record<string, unknown[]> = {};
  for (const [kind, keys] of Object.entries(fields) as [Kind, readonly string[]][]) {
    out[kind] = model.records[kind].map((e) => {
      const record: Readonly<Record<string, unknown>> = e.record;
      return Object.fromEntries(keys.filter((k) => Object.hasOwn(record, k)).map((k) => [k, structuredClone(record[k])]));
    });
  }
  return out as unknown as RecordView<V>;
}

/** The digest of a view input (`records:<name>`) for the tree `model` was loaded from; "absent" for an unknown view. */
export function viewDigest(model: Model, input: string): string {
  const name = input.slice(INPUT_PREFIX.length);
  if (!Object.hasOwn(RECORD_VIEWS, name)) return "absent";
  return new Bun.CryptoHasher("sha256").update(JSON.stringify(projectView(model, name as ViewName))).digest("hex");
}

/**
 * The view of the valid records under `root` (check reports the others). Tests load a view through its own
 * module (src/core/model/views/), which is what makes their proof depend on that view only.
 */
export function loadRecordView<V extends ViewName>(root: string, name: V): RecordView<V> {
  return projectView(loadModel(root).model, name);
}
