/** Worker thread: parses a batch of data files and posts them back (see parse-data-files.ts). */
import { parseDataFilesSync, type DataFile } from "./parse-data-files.ts";

declare const self: Worker;

self.onmessage = (e: MessageEvent<{ root: string; files: DataFile[] }>) => {
  self.postMessage(parseDataFilesSync(e.data.root, e.data.files));
};
