/** The generator's internal working shapes: one plan per data source, the shared context, schema info. */
import type { EmuDatabase, EmuDataSource, EmuSchemaProperty, EmuUser, JsonObject } from '../workspace.js';
import type { DataSourceSpec } from './spec.js';
import type { PropertyIds } from './values.js';

/** A select, status or multi_select option of a generated schema. */
export interface Option {
  id: string;
  name: string;
  color: string;
}

/**
 * A generated schema with what page generation needs from it: options, the number and select
 * properties rollups read, the unique_id prefix, the relation.
 */
export interface SchemaInfo {
  properties: Record<string, EmuSchemaProperty>;
  /** Raw (not URL-encoded) ids by property name, for rollup configs. */
  rawIds: Map<string, string>;
  ids: PropertyIds;
  selectOptions: Option[];
  statusOptions: Option[];
  tagOptions: Option[];
  numberProp: string;
  selectProp: string;
  prefix: string;
  /** 'all-types' only, filled in the relation pass. */
  relationProp?: string;
}

/** One data source being generated: its spec, container, schema, page ids and titles, relation target. */
export interface Plan {
  index: number;
  spec: DataSourceSpec;
  kind: 'all-types' | 'simple';
  shared: boolean;
  content: boolean;
  db: EmuDatabase;
  ds: EmuDataSource;
  schema: SchemaInfo;
  pageIds: string[];
  titles: string[];
  /** ms of the first page's created_time. */
  baseMs: number;
  ppm: number;
  target?: Plan;
}

/**
 * What every page of a generation run shares: users, plans, page titles for mentions, and the blocks
 * and comments made so far.
 */
export interface Ctx {
  seed: number;
  users: EmuUser[];
  persons: EmuUser[];
  bots: EmuUser[];
  plans: Plan[];
  /** All page ids with their titles, for page mentions. */
  allPages: Array<[string, string]>;
  blocks: Record<string, JsonObject[]>;
  comments: Record<string, JsonObject[]>;
}

/** Page titles to use instead of generated ones: data source title → page index → title. */
export type TitleOverrides = Record<string, Record<number, string>>;
