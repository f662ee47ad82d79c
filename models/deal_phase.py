"""The eight deal phases: their codes are the stable keys every rule uses."""

DEAL_PHASES = [
    ("inquiry", "Inquiry received"),
    ("follow_up", "Follow-up"),
    ("qualified", "Qualified (no appointment)"),
    ("first_meeting", "First consultation"),
    ("second_meeting", "Second consultation"),
    ("sold", "Sold"),
    ("not_sold", "Not sold"),
    ("unqualified", "Unqualified"),
]

ENTRY_PHASE = "inquiry"
WON_PHASE = "sold"
# Phases a lead enters only with the gold standard met (every active criterion).
GOLD_STANDARD_PHASES = frozenset({"qualified", "first_meeting"})


class PhaseMove:
    """What the addon's own code tells the write it triggers: why the lead moves, and
    whether a manager forces the move past the graph, whether the lead leaves the phases
    for a team with a pipeline of its own.

    It travels in the context as a Python object, which no RPC client can build (they
    send JSON or XML-RPC values only), so nothing reachable over RPC switches a rule off.
    """

    CONTEXT_KEY = "crm_deal_phases_move"

    def __init__(self, reason=None, label=None, override=False, leaving_phases=False):
        self.reason = reason
        self.label = label
        self.override = override
        self.leaving_phases = leaving_phases

    @classmethod
    def from_env(cls, env):
        move = env.context.get(cls.CONTEXT_KEY)
        return move if isinstance(move, cls) else None
