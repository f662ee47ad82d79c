"""19.0.3.0.0: the deal phases are opt-in per team and calls and strikes are records.

- Teams keep whether they used the phases (the column stays); a company whose leads without a
  team sit in a phase keeps such leads on the phases (the new company setting).
- The old counters become records: a lead counted N calls gets N calls "logged (no outcome)"
  at its last call, and one strike record per strike, its reason from the strike notes.
- Leads in a phase setters call are due for their next call after the cadence from their last
  call (now, if never called).
"""

from odoo import SUPERUSER_ID, api
from odoo.addons.crm_deal_phases.models.deal_phase import PHASES
from odoo.tools import SQL


def migrate(cr, version):
    migrate_to_call_records(api.Environment(cr, SUPERUSER_ID, {}))


def migrate_to_call_records(env):
    """Idempotent: leads that have records are left alone (tests/test_call_queue.py runs it)."""
    env.flush_all()
    cr = env.cr
    phase_of = env["crm.stage"]._phase_by_stage_id()
    cr.execute(
        SQL(
            """
            INSERT INTO crm_deal_call (lead_id, company_id, team_id, user_id, phase, start, stop, duration, outcome,
                                       create_uid, create_date, write_uid, write_date)
            SELECT lead.id, lead.company_id, lead.team_id, COALESCE(lead.setter_id, lead.user_id, %(root)s),
                   stage.deal_phase, COALESCE(lead.last_call_date, lead.write_date),
                   COALESCE(lead.last_call_date, lead.write_date), 0, 'logged',
                   %(root)s, now() AT TIME ZONE 'UTC', %(root)s, now() AT TIME ZONE 'UTC'
              FROM crm_lead lead
              JOIN crm_stage stage ON stage.id = lead.stage_id
             CROSS JOIN LATERAL generate_series(1, lead.call_count)
             WHERE lead.call_count > 0
               AND NOT EXISTS (SELECT 1 FROM crm_deal_call call WHERE call.lead_id = lead.id)
            """,
            root=SUPERUSER_ID,
        )
    )
    cr.execute(
        SQL(
            """
            INSERT INTO crm_deal_strike (lead_id, company_id, team_id, user_id, date, reason,
                                         create_uid, create_date, write_uid, write_date)
            SELECT lead.id, lead.company_id, lead.team_id, COALESCE(lead.setter_id, lead.user_id, %(root)s),
                   lead.write_date,
                   COALESCE(NULLIF(split_part(lead.strike_notes, E'\n', strike.number), ''), %(reason)s),
                   %(root)s, now() AT TIME ZONE 'UTC', %(root)s, now() AT TIME ZONE 'UTC'
              FROM crm_lead lead
             CROSS JOIN LATERAL generate_series(1, lead.strike_count) AS strike(number)
             WHERE lead.strike_count > 0
               AND NOT EXISTS (SELECT 1 FROM crm_deal_strike old WHERE old.lead_id = lead.id)
            """,
            root=SUPERUSER_ID,
            reason="Strike",
        )
    )
    calling = [stage_id for stage_id, phase in phase_of.items() if PHASES[phase].calls]
    cr.execute(
        SQL(
            """
            UPDATE crm_lead
               SET next_call_due = COALESCE(last_call_date + make_interval(days => %(days)s),
                                            now() AT TIME ZONE 'UTC')
             WHERE stage_id = ANY(%(stages)s) AND next_call_due IS NULL AND active
            """,
            days=env["crm.lead"]._deal_settings().follow_up_cadence_days,
            stages=calling,
        )
    )
    cr.execute(
        SQL(
            """
            UPDATE res_company company SET deal_phases_without_team = TRUE
             WHERE EXISTS (SELECT 1 FROM crm_lead lead
                            WHERE lead.team_id IS NULL AND lead.stage_id = ANY(%s)
                              AND COALESCE(lead.company_id, company.id) = company.id)
            """,
            list(phase_of),
        )
    )
    env.invalidate_all()
    env["crm.stage"]._signal_phase_caches_changed()
