"""19.0.2.0.0: what the seed data (noupdate) gives new databases, for the databases that had
19.0.1: crm's rotting on the phases as the phase table says, the seeded lost reasons marked as
not-sold reasons, the phase history's labels in every installed language, and the funnel's
columns (phases entered, inquiry date) from the phase history."""

from odoo import SUPERUSER_ID, api

SEEDED_NOT_SOLD_REASONS = (
    "lost_reason_no_budget",
    "lost_reason_not_now",
    "lost_reason_decided_against",
    "lost_reason_competitor",
    "lost_reason_second_meeting_cancelled",
)


def migrate(cr, version):
    env = api.Environment(cr, SUPERUSER_ID, {})
    env["crm.stage"]._apply_rotting_thresholds(env["crm.lead"]._deal_settings().follow_up_cadence_days)
    for name in SEEDED_NOT_SOLD_REASONS:
        reason = env.ref(f"crm_deal_phases.{name}", raise_if_not_found=False)
        if reason:
            reason.is_not_sold_reason = True
    env["crm.deal.phase.log"]._complete_label_translations()
    env["crm.lead"]._rebuild_deal_funnel()
