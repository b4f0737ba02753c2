/**
 * npm test: runs `bun test` and ends with one plain line `N passed, N failed` that CI readers understand.
 * Output streams through untouched; the exit code is bun's.
 */
export {};

const args = process.argv.slice(2);
const env = { ...process.env, BUN_OPTIONS: "" };
const proc = Bun.spawn([process.execPath, "test", ...args], { env, stdout: "inherit", stderr: "pipe" });
let tail = "";
const decoder = new TextDecoder();
for await (const chunk of proc.stderr) {
  process.stderr.write(chunk);
  tail = (tail + decoder.decode(chunk, { stream: true })).slice(-4000);
}
const code = await proc.exited;
const passed = Number(/^\s*(\d+) pass$/m.exec(tail)?.[1] ?? 0);
const failed = Number(/^\s*(\d+) fail$/m.exec(tail)?.[1] ?? (code === 0 ? 0 : 1));
process.stdout.write(`\n${passed} passed, ${failed} failed\n`);
process.exit(code === 0 && passed === 0 ? 1 : code);
