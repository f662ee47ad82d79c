"""19.0.8.0.0: each history row names the lead's closer and setter as the move left them, so the
consultation rates read the history alone. Rows written before know only the lead's closer and
setter of today: they get those (what the rates showed for them until now)."""

from odoo.tools import SQL


def migrate(cr, version):
    cr.execute(
        SQL(
            """
            UPDATE crm_deal_phase_log log
               SET closer_id = lead.closer_id, setter_id = lead.setter_id
              FROM crm_lead lead
             WHERE lead.id = log.lead_id AND log.closer_id IS NULL AND log.setter_id IS NULL
               AND (lead.closer_id IS NOT NULL OR lead.setter_id IS NOT NULL)
            """
        )
    )
