/** Components every content/*.mdx page may use without importing them. */
import Clearance from "./Clearance.astro";
import ControlRequirements from "./ControlRequirements.astro";
import Count from "./Count.astro";
import ExampleSource from "./ExampleSource.astro";
import MasterTable from "./MasterTable.astro";
import PageCards from "./PageCards.astro";
import RequiredColumns from "./RequiredColumns.astro";
import RoadmapPhases from "./RoadmapPhases.astro";
import RuleTable from "./RuleTable.astro";
import SchemaColumns from "./SchemaColumns.astro";
import SecurityMatrix from "./SecurityMatrix.astro";
import SizeCharts from "./SizeCharts.astro";
import Status from "./Status.astro";
import StatusSummary from "./StatusSummary.astro";
import VariantMatrix from "./VariantMatrix.astro";
import VerifyStatus from "./VerifyStatus.astro";

import type { MdxComponentName } from "../core/lint/mdx-policy.ts";

/** Exactly the names the content lint allows (src/core/lint/mdx-policy.ts): a missing or extra one is a type error. */
export const mdxComponents = {
  Clearance,
  ControlRequirements,
  Count,
  ExampleSource,
  MasterTable,
  PageCards,
  RequiredColumns,
  RoadmapPhases,
  RuleTable,
  SchemaColumns,
  SecurityMatrix,
  SizeCharts,
  Status,
  StatusSummary,
  VariantMatrix,
  VerifyStatus,
} satisfies Record<MdxComponentName, unknown>;
