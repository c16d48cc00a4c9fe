/**
 * Changing a plan's YAML as a person would: only the text of the value at a
 * path is replaced (or a key added to its map, or a comment put above it),
 * found by the parser's source ranges, so every other line — comments, flow
 * or block style, spacing, key order — stays as it was and the unified diff
 * of crier.yaml shows just the change.
 */
import { createTwoFilesPatch } from 'diff';
import { isMap, isNode, isScalar, parseDocument } from 'yaml';

export type PlanEdit =
  | { kind: 'set'; path: readonly string[]; value: string | number }
  | { kind: 'comment'; path: readonly string[]; text: string };

/** A scalar as YAML writes it plainly where it can, quoted where it must be. */
function scalarText(value: string | number): string {
  return typeof value === 'number' || /^[A-Za-z0-9][\w.@/-]*$/.test(value)
    ? String(value)
    : JSON.stringify(value);
}

function lineStart(source: string, at: number): number {
  return source.lastIndexOf('\n', at - 1) + 1;
}

function setIn(source: string, path: readonly string[], value: string | number): string {
  const doc = parseDocument(source);
  const text = scalarText(value);
  const node = doc.getIn(path, true);
  if (isScalar(node) && node.range)
    return source.slice(0, node.range[0]) + text + source.slice(node.range[1]);
  const parent = doc.getIn(path.slice(0, -1), true);
  const key = path.at(-1);
  if (!isMap(parent) || !parent.range || key === undefined || node !== undefined) {
    throw new Error(`cannot set ${path.join('.')} in this plan`);
  }
  if (parent.flow) {
    const close = source.lastIndexOf('}', parent.range[1]);
    const before = source.slice(0, close);
    const padded = before.endsWith(' ');
    return `${before.trimEnd()}, ${key}: ${text}${padded ? ' ' : ''}${source.slice(close)}`;
  }
  // A block map: a new line after its last entry, indented like its first key.
  const first = parent.items[0]?.key;
  const last = parent.items.at(-1)?.value;
  if (!isScalar(first) || !first.range || !isNode(last) || !last.range) {
    throw new Error(`cannot set ${path.join('.')} in this plan`);
  }
  const indent = first.range[0] - lineStart(source, first.range[0]);
  const end = source.indexOf('\n', last.range[1] - 1);
  const at = end === -1 ? source.length : end;
  return `${source.slice(0, at)}\n${' '.repeat(indent)}${key}: ${text}${source.slice(at)}`;
}

function commentAbove(source: string, path: readonly string[], text: string): string {
  const parent = parseDocument(source).getIn(path.slice(0, -1), true);
  if (!isMap(parent)) return source;
  const pair = parent.items.find((p) => isScalar(p.key) && p.key.value === path.at(-1));
  if (!pair || !isScalar(pair.key) || !pair.key.range) return source;
  const start = lineStart(source, pair.key.range[0]);
  const indent = pair.key.range[0] - start;
  return `${source.slice(0, start)}${' '.repeat(indent)}# ${text.replace(/\s+/g, ' ')}\n${source.slice(start)}`;
}

/** The source with the edits made, one after the other. */
export function editPlanSource(source: string, edits: readonly PlanEdit[]): string {
  return edits.reduce(
    (text, edit) =>
      edit.kind === 'set' ? setIn(text, edit.path, edit.value) : commentAbove(text, edit.path, edit.text),
    source,
  );
}

/** A unified diff of crier.yaml from `before` to `after` (empty when they are the same). */
export function planPatch(before: string, after: string): string {
  if (before === after) return '';
  return createTwoFilesPatch('a/crier.yaml', 'b/crier.yaml', before, after, undefined, undefined, {
    context: 3,
  });
}
