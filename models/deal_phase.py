"""The eight deal phases and what each one means: the one home of the process's rules.

The phase graph itself is data (crm.stage.transition, editable by Sales Administrators). What
a phase *is* lives here: the data a lead must hold to be in it, what the move wizard asks on
entry, what entering or leaving it sets off, and what it counts as in the reports. The
requirement check, the wizard, the form's visibility flags, the effects, the report SQL and
the demo all read these tables; nothing else names a phase code to decide anything.
"""

from typing import NamedTuple

from odoo.tools.translate import LazyTranslate

_lt = LazyTranslate(__name__)

# Phase codes: the stable keys every rule uses (the stages carrying them may be renamed).
INQUIRY = "inquiry"
FOLLOW_UP = "follow_up"
QUALIFIED = "qualified"
FIRST_MEETING = "first_meeting"
SECOND_MEETING = "second_meeting"
SOLD = "sold"
NOT_SOLD = "not_sold"
UNQUALIFIED = "unqualified"

DEAL_PHASES = [
    (INQUIRY, "Inquiry received"),
    (FOLLOW_UP, "Follow-up"),
    (QUALIFIED, "Qualified (no appointment)"),
    (FIRST_MEETING, "First consultation"),
    (SECOND_MEETING, "Second consultation"),
    (SOLD, "Sold"),
    (NOT_SOLD, "Not sold"),
    (UNQUALIFIED, "Unqualified"),
]
PHASE_CODES = tuple(code for code, _label in DEAL_PHASES)
ENTRY_PHASE = INQUIRY
WON_PHASE = SOLD


class Requirement(NamedTuple):
    """Data a lead must hold to be in a phase.

    ``fields`` are the lead's own source fields, judged as they are (never a computed flag a
    client could write); the move wizard has fields of the same names and asks for them.
    """

    name: str
    fields: tuple
    missing: tuple  # per field: what is missing, as in '"X" cannot be in Y without <missing>'
    asked_on_entry: bool  # the wizard asks it on every entry (a new date, a reason), not only when missing


CONTACT = Requirement(
    "contact",
    ("contact_firstname", "contact_lastname", "phone"),
    (_lt("a first name"), _lt("a last name"), _lt("a mobile number")),
    False,
)
GOLD_STANDARD = Requirement(
    "gold_standard",
    ("qualification_criterion_ids",),
    (_lt("the gold standard (every qualification criterion met)"),),
    False,
)
FIRST_MEETING_BOOKING = Requirement(
    "first_meeting",
    ("first_meeting_date", "closer_id"),
    (_lt("the date of the first consultation"), _lt("a closer")),
    True,
)
SECOND_MEETING_BOOKING = Requirement(
    "second_meeting",
    ("second_meeting_date", "closer_id"),
    (_lt("the date of the second consultation"), _lt("a closer")),
    True,
)
NOT_SOLD_REASON = Requirement("not_sold_reason", ("lost_reason_id",), (_lt("a not-sold reason"),), True)
# a sale is worth its amount: asked on every entry, the lead's amount as the answer to confirm
SALE_AMOUNT = Requirement("sale_amount", ("expected_revenue",), (_lt("the deal's amount"),), True)
KO_REASON = Requirement("ko_reason", ("ko_reason_id",), (_lt("a KO reason"),), True)
REQUIREMENTS = (
    CONTACT,
    GOLD_STANDARD,
    FIRST_MEETING_BOOKING,
    SECOND_MEETING_BOOKING,
    SALE_AMOUNT,
    NOT_SOLD_REASON,
    KO_REASON,
)


class Phase(NamedTuple):
    """What one phase means. Its hooks name crm.lead methods, each called once per batch with
    the leads concerned (crm_lead_moves.py runs them): values_on_* return {lead id: {field:
    value}} written in the move's own UPDATE, with the target stage id; on_enter / on_leave
    are the effects run after it, with the stages the leads came from ({lead id: stage id})."""

    code: str
    requirements: tuple = ()
    calls: bool = True  # setters call leads here (goodwill calls, the cadence)
    meeting_field: str = ""  # a booked consultation: its date field (postponable, a calendar event)
    outcome: bool = False  # a decision: no stay to measure, where the funnel ends
    cancelled_to: str = ""  # where the lead goes when its consultation's event is deleted
    values_on_enter: tuple = ()
    values_on_leave: tuple = ()
    on_enter: tuple = ()
    on_leave: tuple = ()
    rotting_days: int = 0  # crm's per-stage rotting; -1: the follow-up cadence setting
    closer_decides: bool = False  # the moves out of it are the closer's outcomes (or a Sales Administrator's)
    lost: bool = False  # crm's "lost": probability 0, counted as lost by Predictive Lead Scoring


PHASES = {
    INQUIRY: Phase(
        INQUIRY,
        values_on_leave=("_setter_values",),
        on_enter=("_record_creating_setter",),
        on_leave=("_record_setter",),
    ),
    FOLLOW_UP: Phase(FOLLOW_UP, (CONTACT,), on_leave=("_close_call_activities",), rotting_days=-1),
    QUALIFIED: Phase(QUALIFIED, (CONTACT, GOLD_STANDARD), on_enter=("_link_customer_contact",), rotting_days=3),
    FIRST_MEETING: Phase(
        FIRST_MEETING,
        (CONTACT, GOLD_STANDARD, FIRST_MEETING_BOOKING),
        meeting_field="first_meeting_date",
        cancelled_to=QUALIFIED,
        on_enter=("_close_setter_items", "_close_call_activities", "_link_customer_contact", "_book_consultations"),
        on_leave=("_close_consultations",),
        closer_decides=True,
    ),
    SECOND_MEETING: Phase(
        SECOND_MEETING,
        (CONTACT, SECOND_MEETING_BOOKING),
        meeting_field="second_meeting_date",
        cancelled_to=NOT_SOLD,
        on_enter=(
            "_close_setter_items",
            "_close_call_activities",
            "_mark_second_meeting",
            "_link_customer_contact",
            "_book_consultations",
        ),
        on_leave=("_close_consultations",),
        closer_decides=True,
    ),
    SOLD: Phase(
        SOLD,
        (CONTACT, SALE_AMOUNT),
        calls=False,
        outcome=True,
        on_enter=("_close_setter_items", "_close_call_activities", "_start_upsell_on_sold"),
    ),
    NOT_SOLD: Phase(
        NOT_SOLD,
        (CONTACT, NOT_SOLD_REASON),
        outcome=True,
        rotting_days=30,
        values_on_enter=("_lost_values",),
        on_enter=("_close_setter_items", "_close_call_activities", "_plan_win_back"),
        closer_decides=True,
        lost=True,
    ),
    UNQUALIFIED: Phase(
        UNQUALIFIED,
        (CONTACT, KO_REASON),
        calls=False,
        outcome=True,
        values_on_enter=("_lost_values",),
        on_enter=("_close_setter_items", "_close_call_activities"),
        lost=True,
    ),
}

# What each phase means, in the user's language: the board's column tooltip, the stage form.
PHASE_DESCRIPTIONS = {
    INQUIRY: _lt(
        "A filled-in inquiry with at least first name, last name and mobile number (questionnaire answers "
        "optional), possibly with a setter appointment booked. Not yet pre-qualified."
    ),
    FOLLOW_UP: _lt(
        "Pre-qualified by phone, but not yet at the gold standard. The primary list for follow-up and "
        "goodwill calls at a high cadence."
    ),
    QUALIFIED: _lt(
        "Meets the gold standard (budget, sole decision maker, professionally and personally suitable), but "
        "has no time for a consultation soon. Follow up especially intensively: these leads are worth it "
        "most."
    ),
    FIRST_MEETING: _lt(
        "Scheduled for a consultation. Sold, not sold, cancelled (back to Qualified), no-show (back to "
        "Follow-up), setter error (Unqualified); postponed stays here."
    ),
    SECOND_MEETING: _lt(
        "Scheduled for an optional second consultation about the buying decision. A second call must never "
        "become the rule. Sold, or Not sold (also when cancelled)."
    ),
    SOLD: _lt(
        "The customer closed: the final phase of the new-customer pipeline and the start condition for an "
        "optional upsell pipeline."
    ),
    NOT_SOLD: _lt(
        'A "no": no regular sales conversations for the near future. The list for closer follow-up, won '
        "back by an offer with written confirmation or another meeting."
    ),
    UNQUALIFIED: _lt(
        "Enough strikes or a KO criterion: permanently unsuitable (e.g. wrong industry, offensive on the "
        "phone). Do not call again."
    ),
}

# What every move writes along with the stage, whichever phases it joins: when the lead is
# next due for a call (the target phase's `calls`).
VALUES_ON_EVERY_MOVE = ("_call_due_values",)

# What a move between two phases means, whatever its (admin-editable) label says.
NO_SHOW = (FIRST_MEETING, FOLLOW_UP)
APPOINTMENT_CANCELLED = (FIRST_MEETING, QUALIFIED)
TRANSITION_EFFECTS = {
    NO_SHOW: ("_record_no_show",),
}
# What the outcome of a consultation says about its booked meeting (crm_lead_consultations.py):
# it took place (HELD); a decision (DECIDED: held, or - before the booked start - taken early,
# which the user confirms); the customer did not come (MISSED: only once the meeting began);
# it will not take place (CANCELLED). A move the table does not name (an override) counts as held.
HELD, DECIDED, MISSED, CANCELLED = "held", "decided", "missed", "cancelled"
MEETING_OUTCOMES = {
    (FIRST_MEETING, SOLD): DECIDED,
    (FIRST_MEETING, NOT_SOLD): DECIDED,
    (FIRST_MEETING, SECOND_MEETING): HELD,
    (FIRST_MEETING, UNQUALIFIED): HELD,
    NO_SHOW: MISSED,
    APPOINTMENT_CANCELLED: CANCELLED,
    (SECOND_MEETING, SOLD): DECIDED,
    (SECOND_MEETING, NOT_SOLD): DECIDED,
}
# The order effects run in when one batch sets off several: the contact exists before the
# meeting invites it, the no-show is counted before the activities close.
EFFECT_ORDER = (
    "_record_creating_setter",
    "_record_setter",
    "_record_no_show",
    "_close_consultations",
    "_close_setter_items",
    "_close_call_activities",
    "_mark_second_meeting",
    "_link_customer_contact",
    "_book_consultations",
    "_plan_win_back",
    "_start_upsell_on_sold",
)
# The effects that write the moved lead's own columns only; the others create or change other
# records (events, activities, contacts, followers), so the move locks its leads first.
LEAD_ONLY_EFFECTS = frozenset({"_record_creating_setter", "_record_setter", "_mark_second_meeting"})

# The conversion funnel: a lead counts for a phase when it entered it or a phase lying beyond
# it (booked directly, it was pre-qualified and qualified on the way); the share "of the phase
# before" divides by the phase named here.
FUNNEL_REACHED_BY = {
    INQUIRY: PHASE_CODES,
    FOLLOW_UP: (FOLLOW_UP, QUALIFIED, FIRST_MEETING, SECOND_MEETING, SOLD, NOT_SOLD),
    QUALIFIED: (QUALIFIED, FIRST_MEETING, SECOND_MEETING, SOLD, NOT_SOLD),
    FIRST_MEETING: (FIRST_MEETING, SECOND_MEETING, SOLD, NOT_SOLD),
    SECOND_MEETING: (SECOND_MEETING,),
    SOLD: (SOLD,),
    NOT_SOLD: (NOT_SOLD,),
    UNQUALIFIED: (UNQUALIFIED,),
}
# Each phase as a bit of a lead's "phases entered" (crm.lead.deal_phases_entered), and each
# funnel phase as the bits that mean it was reached.
PHASE_BITS = {code: 1 << position for position, code in enumerate(PHASE_CODES)}
FUNNEL_MASKS = {
    phase: sum(PHASE_BITS[entered] for entered in reached_by) for phase, reached_by in FUNNEL_REACHED_BY.items()
}
FUNNEL_PREVIOUS = {
    INQUIRY: INQUIRY,  # the cohort itself: 100 %, not an empty cell read as 0 %
    FOLLOW_UP: INQUIRY,
    QUALIFIED: FOLLOW_UP,
    FIRST_MEETING: QUALIFIED,
    SECOND_MEETING: FIRST_MEETING,
    SOLD: FIRST_MEETING,
    NOT_SOLD: FIRST_MEETING,
    UNQUALIFIED: INQUIRY,
}
# Labels of the phase history for moves that are no outcome of the transition table.
OVERRIDE_LABEL = _lt("Override")
LEFT_PHASES_LABEL = _lt("Left the deal phases")
ENTERED_PHASES_LABEL = _lt("Entered the deal phases")
STRIKE_THRESHOLD_LABEL = _lt("Strike threshold reached")
LOG_LABELS = (OVERRIDE_LABEL, LEFT_PHASES_LABEL, ENTERED_PHASES_LABEL, STRIKE_THRESHOLD_LABEL)
# The not-sold reason of a second consultation whose appointment was cancelled ("Falls zweiter
# Termin abgesagt dann zu Nicht verkauft").
SECOND_MEETING_CANCELLED_REASON = "crm_deal_phases.lost_reason_second_meeting_cancelled"
# The prefetch group of the lead's columns no phase change reads (counters, notes, event
# links): a cold move fetches the row as narrow as stock crm's; forms and lists name them.
DETAILS_PREFETCH = "deal_phases_details"

# The lead's meeting dates and the calendar events that carry them.
MEETING_EVENT_FIELDS = {
    "first_meeting_date": "first_meeting_event_id",
    "second_meeting_date": "second_meeting_event_id",
    "setter_appointment": "setter_appointment_event_id",
}
# What the calendar calls these meetings (in the customer's language: the invitation goes to them).
MEETING_TITLES = {
    "first_meeting_date": _lt("First consultation"),
    "second_meeting_date": _lt("Second consultation"),
    "setter_appointment": _lt("Setter appointment"),
}
# Who booked, moved or cancelled a consultation, as the consultation figures count them.
DEAL_ACTORS = [
    ("lead", "The lead"),
    ("setter", "Setter"),
    ("closer", "Closer"),
    ("other", "Someone else"),
]
# Consultations the closers hold (the second-consultation rate, show-ups, bookings).
CONSULTATIONS = tuple(code for code, phase in PHASES.items() if phase.meeting_field)
# The outcome phases that are crm's "lost" (probability 0; PLS learns from them).
LOST_PHASES = tuple(code for code, phase in PHASES.items() if phase.lost)
# Deals decided by a closer: the phases the second-consultation rate divides by.
DECISIONS = (SOLD, NOT_SOLD)


def requirements_of(phase):
    """The requirements of a phase code (none for a stage outside the phases)."""
    return PHASES[phase].requirements if phase in PHASES else ()


def required_fields_of(phase):
    """The lead fields a phase requires, in order, each once."""
    return tuple(dict.fromkeys(name for requirement in requirements_of(phase) for name in requirement.fields))


class PhaseIntent:
    """What the addon's own code tells the write it triggers: why the lead moves, with which
    outcome label, whether a Sales Administrator forces it past the graph, whether the lead
    leaves or enters the phases with a team change.

    It travels in the context as a Python object, which no RPC client can build (they send
    JSON or XML-RPC values only): nothing reachable over RPC switches a rule off, and only the
    addon's own code may write the counters it keeps (calls, strikes, no-shows, ...).
    """

    CONTEXT_KEY = "crm_deal_phases_intent"

    def __init__(
        self,
        reason=None,
        label=None,
        override=False,
        leaving_phases=False,
        booking=None,
        cancelled_events=(),
        early_confirmed=False,
        by_lead=False,
    ):
        self.reason = reason
        self.label = label  # a LazyGettext: the log keeps it in every language
        self.override = override
        self.leaving_phases = leaving_phases
        self.booking = booking or {}  # what the booking wizard adds to a consultation's event
        self.cancelled_events = cancelled_events  # events deleted in the calendar: the move follows them
        self.early_confirmed = early_confirmed  # the user confirmed a decision before the booked meeting
        self.by_lead = by_lead  # the person did it themselves, on their booking link

    @classmethod
    def of(cls, env):
        intent = env.context.get(cls.CONTEXT_KEY)
        return intent if isinstance(intent, cls) else None
