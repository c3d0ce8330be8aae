/** The generator's internal working shapes: one plan per data source, the shared context, schema info. */
import type { EmuDatabase, EmuDataSource, EmuSchemaProperty, EmuUser, JsonObject } from '../workspace.js';
import type { DataSourceSpec } from './spec.js';
import type { PropertyIds } from './values.js';

export interface Option {
  id: string;
  name: string;
  color: string;
}

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
