/**
 * The `build` record view (src/core/model/record-view.ts) loaded on its own: a proof whose tests import this
 * module, and nothing else that loads the records, depends on the fields the generated build files are made
 * of (`records:build`), not on a status, a date or prose.
 */
import { loadRecordView, type RecordView } from "../record-view.ts";

export const loadBuildView = (root: string): RecordView<"build"> => loadRecordView(root, "build");
