/**
 * The demo content a fresh database gets (unless CRIER_DEMO=false), so the
 * first `npm start` shows a working page. It is marked as a demo in the
 * settings, and the page says so.
 */
import { createComponent } from './components/create.ts';
import { actingAs, type Ctx, systemActor } from './context.ts';
import { createGroup } from './groups/groups.ts';
import { declareIncident } from './incidents/declare.ts';
import { resolveIncident } from './incidents/resolve.ts';
import { currentPlan } from './plan/current.ts';
import { getSetting, putSetting } from './settings.ts';
import { withTransaction } from './transaction.ts';
import { postUpdate } from './updates/post.ts';

export const DEMO_SETTING = 'demo';

export async function isDemo(ctx: Ctx): Promise<boolean> {
  return (await getSetting(ctx.db, DEMO_SETTING)) === 'true';
}

/**
 * Seeds the demo when the database has no components yet and no plan is in
 * force (a plan's rules would rightly refuse the demo's wording). All or
 * nothing: one transaction, so a failed seed leaves no half-made incident.
 * Returns whether it seeded.
 */
export async function seedDemoIfEmpty(ctx: Ctx): Promise<boolean> {
  const any = await ctx.db.selectFrom('components').select('id').limit(1).executeTakeFirst();
  if (any || (await getSetting(ctx.db, DEMO_SETTING)) !== null || (await currentPlan(ctx.db)) !== null)
    return false;
  await withTransaction(actingAs(ctx, { ...systemActor, id: 'demo' }), async (demo) => {
    await createComponent(demo, { name: 'Website', description: 'The marketing site and sign-in.' });
    const api = await createComponent(demo, { name: 'API', description: 'The public REST API.' });
    const dashboard = await createComponent(demo, { name: 'Dashboard' });
    await createComponent(demo, { name: 'Email delivery' });
    await createGroup(demo, { name: 'Core platform', components: [api.id, dashboard.id] });
    const incident = await declareIncident(demo, {
      name: 'Elevated API error rates',
      body: 'Some API requests are failing with errors. We are investigating. Next update within 30 minutes.',
      components: { [api.id]: 'partial_outage' },
      deliver_notifications: false,
    });
    await postUpdate(demo, incident.id, {
      status: 'identified',
      body: 'We found the cause: a faulty configuration change. We are rolling it back now.',
      deliver_notifications: false,
    });
    await resolveIncident(demo, incident.id, {
      body: 'The change was rolled back and API requests succeed again. We are sorry for the disruption.',
      deliver_notifications: false,
    });
    await putSetting(demo.db, DEMO_SETTING, 'true');
  });
  return true;
}
