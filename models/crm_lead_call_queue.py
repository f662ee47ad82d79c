from datetime import timedelta

from odoo import api, fields, models
from odoo.tools import SQL, create_index
from odoo.tools.sql import drop_index

from .deal_phase import ENTRY_PHASE, FOLLOW_UP, PHASES, QUALIFIED

# The phases a calling session works by default, and the queue's three parts, in order.
CALLING_PHASES = (ENTRY_PHASE, FOLLOW_UP, QUALIFIED)
# candidates read per part: enough to pass over the ones other setters hold right now
QUEUE_WINDOW = 20
# a call the person booked is offered this soon before its time, not earlier: they expect it then
BOOKED_CALL_AHEAD = timedelta(minutes=5)


class CrmLead(models.Model):
    """The setters' calling queue: the next lead to call, claimed for the setter so no other
    setter gets it - new inquiries never called first (oldest first), then the call-backs now
    due, then the leads the cadence says are due (fewest attempts, oldest last call first);
    leads called within the last hours are skipped, a lead's preferred call time is kept, a
    lead whose call the person booked for later waits for it (a setter may still open and call
    it), and a lead without a number to call is not offered (its setter writes for one)."""

    _inherit = "crm.lead"

    call_claim_ids = fields.One2many("crm.deal.call.claim", "lead_id", readonly=True)

    def init(self):
        res = super().init()
        # each part of the queue walks an index in its order and stops at its window; the
        # predicates are the ORM's own SQL of the queue's domain (a count of 0 also matches
        # NULL), so the planner can prove a part's WHERE implies its index's
        # new inquiries by stage first: leads never called wait in every phase (imports,
        # bookings without a call), the queue's first part reads the entry phase's only - that
        # index covers the phases' stages alone (crm_lead_teams.PHASE_LEAD_INDEXES)
        drop_index(self.env.cr, "crm_lead_call_queue_never_called_idx", self._table)
        create_index(
            self.env.cr,
            "crm_lead_call_queue_by_cadence_idx",
            self._table,
            ["call_count", "last_call_date NULLS FIRST"],  # the ORM's ascending order
            where="next_call_due IS NOT NULL AND active IS TRUE",
        )
        return res

    # ACTIONS

    @api.model
    def action_start_calling(self, phases=None):
        """Start calling: the call screen on the next lead of the queue (phases: the phase
        codes to call, by default those of the setters' lists)."""
        phases = [phase for phase in (phases or CALLING_PHASES) if phase in PHASES and PHASES[phase].calls]
        session = self.env["crm.deal.call.session"].create({"phases": ",".join(phases or CALLING_PHASES)})
        return session._action_next()

    # BUSINESS

    def _call_due_values(self, target_stage_id):
        """A lead entering a phase setters call is due after the cadence; one leaving them is
        off the queue (a hook of every move, deal_phase.VALUES_ON_EVERY_MOVE)."""
        phase = self.env["crm.stage"]._phase_by_stage_id().get(target_stage_id)
        if phase and PHASES[phase].calls:
            due = fields.Datetime.now() + timedelta(days=self._deal_settings().follow_up_cadence_days)
        else:
            due = False
        return {lead_id: {"next_call_due": due} for lead_id in self.ids}

    @api.model
    def _claim_next_lead(self, phases, exclude_ids=()):
        """The next lead of the queue the current user may read, claimed for them (its row
        locked while the claim is taken: a second setter skips it), or an empty recordset."""
        seen = set()
        for part in self._call_queue_parts(phases, exclude_ids):
            for lead in part:
                if lead.id not in seen and lead._take_call_claim():
                    return lead
                seen.add(lead.id)
        return self.browse()

    @api.model
    def _call_queue_parts(self, phases, exclude_ids=()):
        """The queue's three parts in their order, each searched as the user (record rules
        apply) in its own order on its own index, one search per part as it is reached: a
        setter whose new inquiries wait pays for one search, not three."""
        Stage = self.env["crm.stage"]
        settings = self._deal_settings()
        now = fields.Datetime.now()
        stage_ids = Stage._stages_of_phases(phases).ids
        base = [
            *self._call_queue_scope(),
            ("stage_id", "in", stage_ids),
            ("phone", "!=", False),
            ("phone_needs_check", "=", False),
            "|",
            ("setter_appointment", "=", False),
            ("setter_appointment", "<=", now + BOOKED_CALL_AHEAD),
            ("id", "not in", list(exclude_ids)),
            ("call_claim_ids", "not any", [("expires_at", ">", now), ("user_id", "!=", self.env.uid)]),
            "|",
            ("preferred_call_time", "=", False),
            ("preferred_call_time", "in", self._preferred_call_times_now()),
        ]
        recent = now - timedelta(hours=settings.recent_call_hours)
        not_called_since = ["|", ("last_call_date", "=", False), ("last_call_date", "<", recent)]
        # each part in a total order: leads created in one transaction share their create_date
        parts = []
        if ENTRY_PHASE in phases:
            parts.append(
                ([("stage_id", "=", Stage._stage_of_phase(ENTRY_PHASE).id), ("call_count", "=", 0)], "create_date, id")
            )
        parts.append(([("call_back_at", "<=", now), ("call_back_user_id", "=", self.env.uid)], "call_back_at, id"))
        parts.append(
            (
                [("next_call_due", "<=", now), *not_called_since],
                "call_count, last_call_date, id",
            )
        )
        for domain, order in parts:
            yield self.search([*base, *domain], order=order, limit=QUEUE_WINDOW)

    @api.model
    def _call_queue_scope(self):
        """The leads a setter calls: those of their teams on the phases, else all the phases
        govern."""
        scope = self._deal_phases_scope()
        teams = [team_id for team_id in self.env.user.crm_team_ids.ids if team_id in scope.team_ids]
        return [("team_id", "in", teams)] if teams else list(self._deal_phases_domain())

    def _take_call_claim(self):
        """Claim this lead for the current user for the claim time: False when another setter
        holds it (its row locked by their claim now, or their claim not expired)."""
        self.ensure_one()
        expires = fields.Datetime.now() + timedelta(minutes=self._deal_settings().call_claim_minutes)
        self.env["crm.deal.call.claim"].flush_model()
        # one statement: the lead's row locked unless another setter's transaction holds it,
        # and the claim taken unless another setter's claim has not expired
        self.env.cr.execute(
            SQL(
                """
                WITH unlocked AS (SELECT id FROM crm_lead WHERE id = %(lead)s FOR UPDATE SKIP LOCKED)
                INSERT INTO crm_deal_call_claim (lead_id, user_id, expires_at)
                SELECT id, %(uid)s, %(expires)s FROM unlocked
                ON CONFLICT (lead_id) DO UPDATE SET user_id = EXCLUDED.user_id, expires_at = EXCLUDED.expires_at
                 WHERE crm_deal_call_claim.expires_at < %(now)s OR crm_deal_call_claim.user_id = EXCLUDED.user_id
                RETURNING lead_id
                """,
                lead=self.id,
                uid=self.env.uid,
                expires=expires,
                now=fields.Datetime.now(),
            )
        )
        taken = bool(self.env.cr.fetchone())
        self.invalidate_recordset(["call_claim_ids"])
        return taken

    def _release_call_claims(self):
        """The current user's claims on these leads end (a call was logged, the lead skipped)."""
        self.env.cr.execute(
            SQL("DELETE FROM crm_deal_call_claim WHERE lead_id = ANY(%s) AND user_id = %s", self.ids, self.env.uid)
        )
        self.invalidate_recordset(["call_claim_ids"])
