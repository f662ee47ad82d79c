from odoo import api, fields, models

from .crm_lead_landing import HOME_ACTIONS

DEAL_PHASE_ROLES = [("setter", "Setter"), ("closer", "Closer"), ("manager", "Sales Manager")]


class ResUsers(models.Model):
    _inherit = "res.users"

    deal_phase_role = fields.Selection(
        DEAL_PHASE_ROLES,
        help="Where CRM and the login open for this user: setters on the follow-up call list, closers on their "
        "consultations, managers on the week's figures. Empty: crm's pipeline.",
    )

    # ORM

    @api.model_create_multi
    def create(self, vals_list):
        users = super().create(vals_list)
        users.filtered("deal_phase_role")._set_role_home_action()
        return users

    def write(self, vals):
        res = super().write(vals)
        if "deal_phase_role" in vals:
            self._set_role_home_action()
        return res

    def unlink(self):
        self.env["crm.deal.phase.log"]._forget_deleted(self)
        return super().unlink()

    # BUSINESS

    def _set_role_home_action(self):
        """After login a user lands on the role's work (Odoo's own home action), unless an
        admin chose another home than a role's."""
        role_homes = {role: self.env.ref(xmlid, raise_if_not_found=False) for role, xmlid in HOME_ACTIONS.items()}
        role_home_ids = {action.id for action in role_homes.values() if action}
        for role, users in self.grouped("deal_phase_role").items():
            home = role_homes.get(role) if role else None
            users.filtered(lambda user: not user.action_id or user.action_id.id in role_home_ids).write(
                {"action_id": home.id if home else False}
            )
