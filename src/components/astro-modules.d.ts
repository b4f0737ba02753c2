/**
 * Lets plain `tsc` type-check TypeScript files that import .astro components (`astro check` resolves the
 * real files and ignores this fallback).
 */
declare module "*.astro" {
  const Component: (props: Record<string, unknown>) => unknown;
  export default Component;
}
