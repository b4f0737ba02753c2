// Astro's client types (import.meta.glob, .astro modules) without running `astro sync`, so a fresh clone type-checks.
/// <reference types="astro/client" />
