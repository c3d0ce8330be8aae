/**
 * Deterministic workspace generator for the Notion API emulator.
 *
 * Everything is derived from a seeded PRNG (mulberry32): the same options always give a byte-identical
 * workspace (`JSON.stringify` equal). Values are stored complete (no truncation) in the exact shapes the
 * live API returns (see the recordings under the project's shared notes). Rollup values are placeholders
 * (`{type:"array", array:[], function}`): the server computes them from the related pages.
 *
 * Ready-made workspaces:
 * - `allTypesWorkspace()`: every property type plus the edge cases (60 relations, 30/25 people,
 *   30 mentions, a trashed page, an unshared database). `allTypesIds(ws)` finds the special objects.
 * - `scaleWorkspace()`: many plain pages, fast (no blocks, no comments).
 * - `demoWorkspace()`: a few thousand rows over several related databases. `DEMO_TITLES` names its
 *   edge-case pages.
 *
 * The code lives in generate/, one module per job: spec (options), rng, values (value shapes), words,
 * users, schemas, plan (working shapes), page-values, formulas, page-content, pages, build, edge-cases,
 * and the ready-made workspaces all-types, scale and demo. This module re-exports the public part.
 */
export { DEFAULT_TOKEN, type DataSourceSpec, type DatabaseSpec, type GenerateOptions } from './generate/spec.js';
export { Rng } from './generate/rng.js';
export { ALL_PROPERTY_TYPES, ALL_TYPES_PROPERTIES, SIMPLE_PROPERTIES } from './generate/schemas.js';
export { generateWorkspace } from './generate/build.js';
export { recomputeFormulas } from './generate/formulas.js';
export type { EdgeCaseTitles } from './generate/edge-cases.js';
export { ALL_TYPES_TITLES, allTypesIds, allTypesSpec, allTypesWorkspace, type AllTypesIds } from './generate/all-types.js';
export { scaleWorkspace, type ScaleOptions } from './generate/scale.js';
export { DEMO_TITLES, demoSpec, demoWorkspace } from './generate/demo.js';
