/**
 * The `behaviour` record view (src/core/model/record-view.ts) loaded on its own: a proof whose tests import
 * this module, and nothing else that loads the records, depends on the view's values (`records:behaviour`),
 * not on every byte of data/.
 */
import { loadRecordView, type RecordView } from "../record-view.ts";

export const loadBehaviourView = (root: string): RecordView<"behaviour"> => loadRecordView(root, "behaviour");
