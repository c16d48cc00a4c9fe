/** Component statuses, group roll-up and the page indicator, as Statuspage defines them. */

export const componentStatuses = [
  'operational',
  'under_maintenance',
  'degraded_performance',
  'partial_outage',
  'major_outage',
] as const;
export type ComponentStatus = (typeof componentStatuses)[number];

/** Higher is worse. Maintenance is planned, so it ranks below any unplanned degradation. */
const statusRank: Record<ComponentStatus, number> = {
  operational: 0,
  under_maintenance: 1,
  degraded_performance: 2,
  partial_outage: 3,
  major_outage: 4,
};

export function worseStatus(a: ComponentStatus, b: ComponentStatus): ComponentStatus {
  return statusRank[b] > statusRank[a] ? b : a;
}

/** A group's status is the worst of its members; an empty group is operational. */
export function groupStatus(members: readonly ComponentStatus[]): ComponentStatus {
  return members.reduce<ComponentStatus>(worseStatus, 'operational');
}

export const impacts = ['none', 'minor', 'major', 'critical'] as const;
export type Impact = (typeof impacts)[number];

const indicators = ['none', 'minor', 'major', 'critical', 'maintenance'] as const;
export type Indicator = (typeof indicators)[number];

const impactRank: Record<Impact, number> = { none: 0, minor: 1, major: 2, critical: 3 };

export function worseImpact(a: Impact, b: Impact): Impact {
  return impactRank[b] > impactRank[a] ? b : a;
}

/** The impact a component status implies on its own (Statuspage's mapping). */
function impactOfStatus(status: ComponentStatus): Impact {
  switch (status) {
    case 'operational':
    case 'under_maintenance':
      return 'none';
    case 'degraded_performance':
      return 'minor';
    case 'partial_outage':
      return 'major';
    case 'major_outage':
      return 'critical';
  }
}

/** An incident's impact, when not overridden, is the worst its components' statuses imply. */
export function impactOfComponents(statuses: readonly ComponentStatus[]): Impact {
  return statuses.map(impactOfStatus).reduce<Impact>(worseImpact, 'none');
}

export interface PageIndicatorInput {
  componentStatuses: readonly ComponentStatus[];
  unresolvedIncidentImpacts: readonly Impact[];
  maintenanceInProgress: boolean;
}

/**
 * The page's overall indicator: the worst of the unresolved incidents' impacts and
 * of the components' statuses; `maintenance` when nothing is worse than `none`
 * and a maintenance is in progress or a component is under maintenance.
 */
export function pageIndicator(input: PageIndicatorInput): Indicator {
  const fromComponents = impactOfComponents(input.componentStatuses);
  const worst = input.unresolvedIncidentImpacts.reduce<Impact>(worseImpact, fromComponents);
  if (worst !== 'none') return worst;
  const maintenance =
    input.maintenanceInProgress || input.componentStatuses.some((s) => s === 'under_maintenance');
  return maintenance ? 'maintenance' : 'none';
}

const indicatorDescriptions: Record<Indicator, string> = {
  none: 'All Systems Operational',
  minor: 'Minor Service Outage',
  major: 'Partial System Outage',
  critical: 'Major System Outage',
  maintenance: 'Service Under Maintenance',
};

export function indicatorDescription(indicator: Indicator): string {
  return indicatorDescriptions[indicator];
}

export const componentStatusLabels: Record<ComponentStatus, string> = {
  operational: 'Operational',
  under_maintenance: 'Under maintenance',
  degraded_performance: 'Degraded performance',
  partial_outage: 'Partial outage',
  major_outage: 'Major outage',
};
