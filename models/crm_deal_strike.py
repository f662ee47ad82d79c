from odoo import api, fields, models
from odoo.exceptions import AccessError


class CrmDealStrike(models.Model):
    """One strike given to a lead, with its reason: the strikes' history the lead's counter
    and notes are figures of, and the team's week counts. Written once, by action_add_strike;
    nobody edits or deletes a strike, it goes with its lead."""

    _name = "crm.deal.strike"
    _description = "Deal Phase Strike"
    _order = "date desc, id desc"
    _rec_name = "lead_id"

    lead_id = fields.Many2one("crm.lead", required=True, index=True, ondelete="cascade", readonly=True)
    company_id = fields.Many2one(related="lead_id.company_id", store=True, readonly=True)
    team_id = fields.Many2one("crm.team", "Sales Team", readonly=True)
    user_id = fields.Many2one("res.users", "Given By", required=True, readonly=True)
    date = fields.Datetime(required=True, readonly=True, default=fields.Datetime.now)
    reason = fields.Char(required=True, readonly=True)

    # ORM

    @api.model_create_multi
    def create(self, vals_list):
        if not self.env.su:
            raise AccessError(self.env._("Strikes are given with the strike button (or action_add_strike) only."))
        return super().create(vals_list)
