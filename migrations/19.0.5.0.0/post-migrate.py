"""19.0.5.0.0: the consultation rates read one partial index of the history. Each row says
whether it is its deal's first decision and whether a Second consultation came before it
(filled here for the rows written before); the two indexes the rates' self-join needed go."""

from odoo import SUPERUSER_ID, api
from odoo.tools import SQL


def migrate(cr, version):
    cr.execute(SQL("DROP INDEX IF EXISTS crm_deal_phase_log_first_decision_idx, crm_deal_phase_log_second_meeting_idx"))
    api.Environment(cr, SUPERUSER_ID, {})["crm.deal.phase.log"]._rebuild_rate_facts()
