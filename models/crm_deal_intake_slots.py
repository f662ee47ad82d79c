from datetime import timedelta

from odoo import api, fields, models

from .crm_deal_slots import SETTER_CALL_FIELDS

# how far ahead the page offers setter calls, and how soon the first may be
SLOT_DAYS = 7
MIN_NOTICE = timedelta(minutes=30)


class CrmDealIntake(models.AbstractModel):
    """The inquiry page's setter calls, from the one slot engine (crm.deal.slots): the free
    slots of the team's setters in steps of the setter call's length, and the booking of one
    by the rule every booking follows - never two calls in one setter's slot."""

    _inherit = "crm.deal.intake"

    @api.model
    def _page_setters(self, source):
        team = source.team_id
        return (
            (team.member_ids | team.user_id)
            .filtered(lambda user: user.deal_phase_role == "setter" and not user.share)
            .sorted("id")
        )

    @api.model
    def _page_free_slots(self, source, now=None, ignore_busy=False):
        """{slot start (naive UTC): setters free then}, in time order: the next seven days
        (ignore_busy: the setters' working slots, booked or not)."""
        now = now or fields.Datetime.now()
        return self.env["crm.deal.slots"]._free_slots(
            self._page_setters(source),
            now + MIN_NOTICE,
            now + timedelta(days=SLOT_DAYS),
            self._setter_call_duration(),
            ignore_busy=ignore_busy,
        )

    def _book_setter_call(self, source, slot):
        """The setter who takes the call at slot, by the rule of every booking, or none when
        every setter free then was taken meanwhile (each one's calendar locked and read again)."""
        Slots = self.env["crm.deal.slots"]
        candidates = self._page_free_slots(source).get(slot, self.env["res.users"])
        while candidates:
            setter = Slots._assign(candidates, slot, fields=SETTER_CALL_FIELDS)
            if not setter or Slots._take(setter, slot, self._setter_call_duration()):
                return setter
            candidates -= setter
        return self.env["res.users"]

    @api.model
    def _setter_call_duration(self):
        return timedelta(minutes=self.env["crm.lead"]._deal_settings().setter_call_minutes)
