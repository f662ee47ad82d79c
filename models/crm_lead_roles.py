from odoo import fields, models


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
        readonly=True,
        copy=False,
        help="First consultations the lead did not attend: a sign of missing personal suitability.",
    )
    needed_second_meeting = fields.Boolean(
        "Needed a Second Consultation", readonly=True, copy=False, help="The deal went through a Second consultation."
    )

    # BUSINESS

    def _on_phase_entered(self, from_stage_ids):
        """A move from First consultation to Follow-up is a no-show; entering Second
        consultation marks the deal. Most moves touch neither and cost nothing here: the
        phases come from the registry cache, not from the leads."""
        super()._on_phase_entered(from_stage_ids)
        phase_of = self.env["crm.stage"]._stage_phases()
        no_show_ids, second_ids = [], []
        for lead in self:
            to_phase = phase_of.get(lead.stage_id.id)
            from_phase = phase_of.get(from_stage_ids.get(lead.id))
            if to_phase == "second_meeting":
                second_ids.append(lead.id)
            elif to_phase == "follow_up" and from_phase == "first_meeting":
                no_show_ids.append(lead.id)
        if no_show_ids:
            for count, leads in self.browse(no_show_ids)._group_by_value("no_show_count").items():
                leads.write({"no_show_count": count + 1})
        if second_ids:
            self.browse(second_ids).write({"needed_second_meeting": True})
