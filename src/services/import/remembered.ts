/**
 * Which Crier row each source record became, for one source: read once at
 * the start of an import, added to as it creates rows. It also keeps the
 * report, since every creation is counted where it is remembered.
 */
import type { Db } from '../../store/db.ts';
import { newId } from '../../store/ids.ts';
import type { Ctx } from '../context.ts';
import type { SourcePage } from './page.ts';

const importKinds = ['component_group', 'component', 'incident', 'maintenance', 'subscriber'] as const;
export type ImportKind = (typeof importKinds)[number];

export interface ImportReport {
  source: string;
  dry_run: boolean;
  /** Created by this run (or, in a dry run, that it would create). */
  created: Record<ImportKind, number>;
  /** Found already imported, or (subscribers) already in Crier. */
  existing: Record<ImportKind, number>;
  /** Of those, changed at the source since they were imported, and brought up to date. */
  updated: Record<ImportKind, number>;
  incident_updates: number;
  subscribers_by_kind: Record<string, number>;
  /** Every record created except subscribers, by name. */
  items: { kind: ImportKind; source_id: string; name: string }[];
  /** Records Crier could not take (an address that is not one), by source id. */
  invalid: { kind: ImportKind; source_id: string; message: string }[];
  /** What the source holds that Crier does not take, counted by reason. */
  left: Record<string, number>;
}

/** Tables whose ids the import may keep from the source. */
type KeptIdTable =
  | 'component_groups'
  | 'components'
  | 'incidents'
  | 'incident_updates'
  | 'maintenances'
  | 'maintenance_updates';

const crierShapedId = /^[0-9a-z]{6,64}$/;

export class Remembered {
  readonly #map: Map<string, string>;
  /** Per table, which of the source's ids Crier already uses. */
  readonly #taken = new Map<KeptIdTable, Set<string>>();
  /** Rows for `imported`, written by `flush`. */
  readonly #pending: {
    source: string;
    kind: string;
    source_id: string;
    crier_id: string;
    imported_at: string;
  }[] = [];
  private readonly tx: Ctx;
  private readonly page: SourcePage;
  private readonly report: ImportReport;

  private constructor(tx: Ctx, page: SourcePage, report: ImportReport, map: Map<string, string>) {
    this.tx = tx;
    this.page = page;
    this.report = report;
    this.#map = map;
  }

  static async load(tx: Ctx, page: SourcePage, report: ImportReport): Promise<Remembered> {
    const rows = await rememberedRows(tx.db, page.source);
    const remembered = new Remembered(
      tx,
      page,
      report,
      new Map(rows.map((r) => [`${r.kind}:${r.source_id}`, r.crier_id])),
    );
    const seen = (kind: ImportKind, list: readonly { id: string }[]) => {
      for (const x of list) if (remembered.has(kind, x.id)) report.existing[kind] += 1;
    };
    seen('component_group', page.groups);
    seen('component', page.components);
    seen('incident', page.incidents);
    seen('maintenance', page.maintenances);
    return remembered;
  }

  has(kind: ImportKind, sourceId: string): boolean {
    return this.#map.has(`${kind}:${sourceId}`);
  }

  get(kind: ImportKind, sourceId: string): string | undefined {
    return this.#map.get(`${kind}:${sourceId}`);
  }

  /** The Crier ids of the source's components given, those that are known. */
  componentIds(sourceIds: readonly string[]): string[] {
    return [...new Set(sourceIds.flatMap((s) => this.get('component', s) ?? []))];
  }

  /**
   * The source's id when it has Crier's shape and is free, so links and
   * widgets that name it keep working; a new one otherwise.
   */
  async idFor(table: KeptIdTable, sourceId: string): Promise<string> {
    if (!this.page.keepIds || !crierShapedId.test(sourceId)) return newId();
    let taken = this.#taken.get(table);
    if (!taken) {
      taken = await takenIds(this.tx.db, table, sourceIdsFor(this.page, table));
      this.#taken.set(table, taken);
    }
    if (taken.has(sourceId)) return newId();
    taken.add(sourceId);
    return sourceId;
  }

  /** The same memory, writing through another transaction. */
  in(tx: Ctx): Remembered {
    return new Remembered(tx, this.page, this.report, this.#map);
  }

  /** Notes what `sourceId` became; `created` false when it was found in Crier already. */
  async remember(
    kind: ImportKind,
    sourceId: string,
    crierId: string,
    name: string | null,
    created = true,
  ): Promise<void> {
    this.#pending.push({
      source: this.page.source,
      kind,
      source_id: sourceId,
      crier_id: crierId,
      imported_at: this.tx.clock.now().toISOString(),
    });
    this.#map.set(`${kind}:${sourceId}`, crierId);
    if (!created) {
      this.report.existing[kind] += 1;
      return;
    }
    this.report.created[kind] += 1;
    if (name !== null) this.report.items.push({ kind, source_id: sourceId, name });
  }

  /** Writes what was remembered since the last flush, in the transaction that created it. */
  async flush(): Promise<void> {
    const rows = this.#pending.splice(0);
    for (let at = 0; at < rows.length; at += 500) {
      await this.tx.db
        .insertInto('imported')
        .values(rows.slice(at, at + 500))
        .execute();
    }
  }

  countUpdate(): void {
    this.report.incident_updates += 1;
  }

  /** Notes that a record imported before was brought up to date with its source. */
  countRefresh(kind: ImportKind): void {
    this.report.updated[kind] += 1;
  }
}

function rememberedRows(db: Db, source: string) {
  return db
    .selectFrom('imported')
    .select(['kind', 'source_id', 'crier_id'])
    .where('source', '=', source)
    .execute();
}

function sourceIdsFor(page: SourcePage, table: KeptIdTable): string[] {
  switch (table) {
    case 'component_groups':
      return page.groups.map((g) => g.id);
    case 'components':
      return page.components.map((c) => c.id);
    case 'incidents':
      return page.incidents.map((i) => i.id);
    case 'incident_updates':
      return page.incidents.flatMap((i) => i.updates.map((u) => u.id));
    case 'maintenances':
      return page.maintenances.map((m) => m.id);
    case 'maintenance_updates':
      return page.maintenances.flatMap((m) => m.updates.map((u) => u.id));
  }
}

async function takenIds(db: Db, table: KeptIdTable, ids: readonly string[]): Promise<Set<string>> {
  const taken = new Set<string>();
  for (let at = 0; at < ids.length; at += 500) {
    const rows = await db
      .selectFrom(table)
      .select('id')
      .where('id', 'in', ids.slice(at, at + 500))
      .execute();
    for (const r of rows) taken.add(r.id);
  }
  return taken;
}
