from odoo import api, fields, models


class CrmLead(models.Model):
    """Who works the lead - the setter on the phone, the closer in the consultations - and
    the meetings they hold."""

    _inherit = "crm.lead"

    # Roles
    setter_id = fields.Many2one(
        "res.users",
        "Setter",
        index="btree_not_null",
        tracking=True,
        domain="[('share', '=', False)]",
        help="Pre-qualifies the lead by phone.",
    )
    closer_id = fields.Many2one(
        "res.users",
        "Closer",
        index="btree_not_null",
        tracking=True,
        domain="[('share', '=', False)]",
        help="Runs the consultations and the closer follow-up.",
    )
    # Meetings
    setter_appointment = fields.Datetime("Setter Appointment", help="A booked setter call, if any.", copy=False)
    first_meeting_date = fields.Datetime("First Consultation", tracking=True, copy=False)
    second_meeting_date = fields.Datetime("Second Consultation", tracking=True, copy=False)
    postponed_count = fields.Integer("Postponements", readonly=True, copy=False)
    no_show_count = fields.Integer(
        "No-shows",
        compute="_compute_phase_history_facts",
        store=True,
        help="First consultations the lead did not attend: a sign of missing personal suitability.",
    )
    needed_second_meeting = fields.Boolean(
        "Needed a Second Consultation",
        compute="_compute_phase_history_facts",
        store=True,
        help="The deal went through a Second consultation.",
    )

    @api.depends("phase_log_ids.from_phase", "phase_log_ids.to_phase")
    def _compute_phase_history_facts(self):
        """Read from the phase log, the one record of what happened: a no-show is the
        move from First consultation to Follow-up."""
        stats = {}
        real_ids = [lead_id for lead_id in self.ids if lead_id]
        if real_ids:
            rows = (
                self.env["crm.deal.phase.log"]
                .sudo()
                ._read_group(
                    [("lead_id", "in", real_ids), ("to_phase", "in", ("follow_up", "second_meeting"))],
                    ["lead_id", "from_phase", "to_phase"],
                    ["__count"],
                )
            )
            for lead, from_phase, to_phase, count in rows:
                lead_stats = stats.setdefault(lead.id, {"no_show": 0, "second": False})
                if to_phase == "second_meeting":
                    lead_stats["second"] = True
                elif from_phase == "first_meeting":
                    lead_stats["no_show"] += count
        for lead in self:
            lead_stats = stats.get(lead.id, {})
            lead.no_show_count = lead_stats.get("no_show", 0)
            lead.needed_second_meeting = lead_stats.get("second", False)
