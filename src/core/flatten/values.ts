/** The value converters: a property value written into its columns, per shape and per property type. */
import { plainText, type Json, type PropertyValue } from '../../notion/types.js';
import { arr, bool, describe, mismatch, num, obj, str, type Row, type Where } from './checks.js';
import { columnsOf, isObject, RESULT_SHAPES, type Shape } from './columns.js';
import { timestamp, writeDate } from './dates.js';
import { rollupItems } from './rollups.js';
import { warnOnce } from './table.js';
import { userFields, writeUser } from './users.js';

/** Writes an already unwrapped value (`pv[pv.type]`, or a formula's result) in the property's shape. */
function writeShape(w: Where, row: Row, shape: Shape, v: Json | undefined): void {
  const base = w.prop.base;
  switch (shape) {
    case 'string':
      row[base] = str(w, v);
      return;
    case 'number':
      row[base] = num(w, v);
      return;
    case 'boolean':
      row[base] = bool(w, v);
      return;
    case 'timestamp':
      row[base] = timestamp(w, v);
      return;
    case 'date':
      writeDate(w, row, base, v);
      return;
    case 'string_list':
      row[base] = arr(w, v).map((x) => {
        if (typeof x !== 'string') throw mismatch(w, `expected a list of strings, got ${describe(x)} in it.`);
        return x;
      });
      return;
    case 'json_list':
      row[base] = arr(w, v).filter((x) => x !== null);
      return;
    case 'json':
      if (v !== undefined && v !== null) row[base] = v;
      return;
    case 'none':
      return;
    default:
      throw new Error(`internal: shape ${shape} needs a type-specific writer`);
  }
}

/** Writes a formula or rollup value `{type, <type>: value}`, deciding the column type on first sight. */
function writeResult(w: Where, row: Row, v: Json | undefined): void {
  const { spec, prop } = w;
  const result = obj(w, v);
  const type = typeof result?.type === 'string' ? result.type : undefined;
  const inner = type === undefined ? null : result?.[type];
  if (type === 'incomplete' || type === 'unsupported') {
    warnOnce(spec, `result:${prop.id}:${type}`, `Table "${spec.table}": ${prop.type} "${prop.name}" reported "${type}" on page ${w.pageId}; stored as null.`);
    if (prop.shape !== undefined) writeShape(w, row, prop.shape, null);
    return;
  }
  const empty = inner === undefined || inner === null;
  if (prop.shape === undefined) {
    // Notion names the result type even when the value is empty (`{type:"date", date:null}`): it decides.
    if (type === undefined) return; // nothing decides yet
    if (spec.frozen) throw new Error('internal: a frozen table has an undecided column');
    prop.shape = RESULT_SHAPES[type] ?? 'json';
    prop.resultType = type;
    prop.columns = columnsOf(prop);
    spec.version++;
    if (RESULT_SHAPES[type] === undefined) {
      warnOnce(spec, `result-type:${prop.id}`, `Table "${spec.table}": ${prop.type} "${prop.name}" returns "${type}" values, which notion-stream does not know; kept as JSON in column "${prop.base}".`);
    }
  } else if (!empty && type !== prop.resultType) {
    throw mismatch(
      w,
      `the ${prop.type} returned a ${type} value, but the column holds ${prop.resultType} values (decided by the first value). ` +
        `notion-stream does not convert between types; make the ${prop.type} return one type (for example with format()).`,
    );
  }
  if (prop.resultType === 'array') {
    row[prop.base] = arr(w, inner).flatMap((x) => (x === null ? [] : rollupItems(x)));
    return;
  }
  writeShape(w, row, prop.shape, empty ? null : inner);
}

/** Writes one property value into its columns, by the property's type (or as JSON when its shape is json). */
export function writeProperty(w: Where, row: Row, pv: PropertyValue): void {
  const { prop } = w;
  if (pv.type !== prop.type && prop.inSchema && prop.shape !== 'json') {
    throw mismatch(w, `the page has a ${pv.type} value, but the schema says ${prop.type}.`);
  }
  const v = pv[pv.type];
  const base = prop.base;
  switch (prop.shape === 'json' ? 'json' : prop.type) {
    case 'json':
      writeShape(w, row, 'json', v);
      return;
    case 'title':
    case 'rich_text': {
      const items = arr(w, v);
      row[base] = items.length === 0 ? null : plainText(items);
      return;
    }
    case 'select':
    case 'status': {
      const option = obj(w, v);
      row[base] = str(w, option?.name);
      row[`${base}_id`] = str(w, option?.id);
      return;
    }
    case 'multi_select':
      row[base] = arr(w, v).map((o) => {
        const option = obj(w, o);
        return { id: str(w, option?.id), name: str(w, option?.name) };
      });
      return;
    case 'people':
      row[base] = arr(w, v).map((u) => {
        const user = obj(w, u);
        return { ...userFields(user ?? undefined), id: str(w, user?.id) };
      });
      return;
    case 'files':
      row[base] = arr(w, v).map((f) => {
        const file = obj(w, f);
        const type = typeof file?.type === 'string' ? file.type : null;
        const target = type === null ? undefined : file?.[type];
        return {
          name: str(w, file?.name),
          type,
          url: isObject(target) && typeof target.url === 'string' ? target.url : null,
          expiry_time: isObject(target) && typeof target.expiry_time === 'string' ? target.expiry_time : null,
        };
      });
      return;
    case 'relation':
      row[base] = arr(w, v).map((r) => {
        const id = str(w, obj(w, r)?.id);
        if (id === null) throw mismatch(w, 'a relation item has no id.');
        return id;
      });
      return;
    case 'created_by':
    case 'last_edited_by':
      writeUser(row, base, v);
      return;
    case 'formula':
    case 'rollup':
      writeResult(w, row, v);
      return;
    case 'unique_id': {
      const u = obj(w, v);
      const n = num(w, u?.number);
      const prefix = str(w, u?.prefix);
      row[base] = n === null ? null : prefix ? `${prefix}-${n}` : String(n);
      row[`${base}_number`] = n;
      return;
    }
    case 'verification': {
      const x = obj(w, v);
      row[`${base}_state`] = str(w, x?.state);
      writeUser(row, `${base}_verified_by`, x?.verified_by);
      writeDate(w, row, `${base}_date`, x?.date);
      return;
    }
    case 'place': {
      const x = obj(w, v);
      row[`${base}_lat`] = num(w, x?.lat);
      row[`${base}_lon`] = num(w, x?.lon);
      row[`${base}_name`] = str(w, x?.name);
      row[`${base}_address`] = str(w, x?.address);
      row[`${base}_google_place_id`] = str(w, x?.google_place_id);
      row[`${base}_aws_place_id`] = str(w, x?.aws_place_id);
      return;
    }
    default:
      writeShape(w, row, prop.shape ?? 'json', v);
  }
}
