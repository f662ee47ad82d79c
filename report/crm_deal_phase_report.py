from odoo import fields, models, tools

from ..models.deal_phase import DEAL_PHASES


class CrmDealPhaseReport(models.Model):
    """One row per entry of a lead into a phase, read from the phase log: when it entered,
    where it went next and how long it stayed. Pivot phase x next phase is the conversion;
    the average of days in phase is the time spent (the median is in the duration report)."""

    _name = "crm.deal.phase.report"
    _description = "Deal Phase Analysis"
    _auto = False
    _order = "date_entered desc"
    _rec_name = "lead_id"

    lead_id = fields.Many2one("crm.lead", "Lead", readonly=True)
    phase = fields.Selection(DEAL_PHASES, "Phase", readonly=True)
    from_phase = fields.Selection(DEAL_PHASES, "Came From", readonly=True)
    next_phase = fields.Selection(DEAL_PHASES, "Moved On To", readonly=True)
    date_entered = fields.Datetime("Entered", readonly=True)
    date_left = fields.Datetime("Left", readonly=True)
    days_in_phase = fields.Float("Days in Phase", readonly=True, aggregator="avg", digits=(16, 1))
    no_show = fields.Integer("No-shows", readonly=True, help="This First consultation ended in a no-show.")
    is_override = fields.Boolean("Override", readonly=True)
    closer_id = fields.Many2one("res.users", "Closer", readonly=True)
    setter_id = fields.Many2one("res.users", "Setter", readonly=True)
    user_id = fields.Many2one("res.users", "Salesperson", readonly=True)
    team_id = fields.Many2one("crm.team", "Sales Team", readonly=True)
    company_id = fields.Many2one("res.company", "Company", readonly=True)
    lost_reason_id = fields.Many2one("crm.lost.reason", "Not-sold Reason", readonly=True)
    ko_reason_id = fields.Many2one("crm.ko.reason", "KO Reason", readonly=True)
    strike_count = fields.Integer("Strikes", readonly=True, aggregator="sum")

    def init(self):
        tools.drop_view_if_exists(self.env.cr, self._table)
        self.env.cr.execute(
            f"""
            CREATE OR REPLACE VIEW {self._table} AS (
                SELECT * FROM (
                    SELECT log.id,
                           log.lead_id,
                           log.to_phase AS phase,
                           log.from_phase,
                           LEAD(log.to_phase) OVER entries AS next_phase,
                           log.date AS date_entered,
                           LEAD(log.date) OVER entries AS date_left,
                           EXTRACT(EPOCH FROM LEAD(log.date) OVER entries - log.date) / 86400.0 AS days_in_phase,
                           CASE WHEN log.to_phase = 'first_meeting'
                                 AND LEAD(log.to_phase) OVER entries = 'follow_up' THEN 1 ELSE 0 END AS no_show,
                           log.is_override,
                           lead.closer_id,
                           lead.setter_id,
                           lead.user_id,
                           log.team_id,
                           log.company_id,
                           CASE WHEN log.to_phase = 'not_sold' THEN lead.lost_reason_id END AS lost_reason_id,
                           CASE WHEN log.to_phase = 'unqualified' THEN lead.ko_reason_id END AS ko_reason_id,
                           CASE WHEN LEAD(log.id) OVER entries IS NULL THEN lead.strike_count ELSE 0 END AS strike_count
                      FROM crm_deal_phase_log log
                      JOIN crm_lead lead ON lead.id = log.lead_id
                    WINDOW entries AS (PARTITION BY log.lead_id ORDER BY log.date, log.id)
                ) entries
                 WHERE phase IS NOT NULL
            )
            """
        )
