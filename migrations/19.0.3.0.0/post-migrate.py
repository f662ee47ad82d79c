"""19.0.3.0.0: the deal phases are opt-in per team and calls and strikes are records.

- Teams keep whether they used the phases (the column stays); a company whose leads without a
  team sit in a phase keeps such leads on the phases (the new company setting).
- The old counters become records: a lead counted N calls gets N calls "logged (no outcome)"
  at its last call, and one strike record per strike, its reason from the strike notes.
- Leads in a phase setters call are due for their next call after the cadence from their last
  call (now, if never called).
"""

from odoo import SUPERUSER_ID, api


def migrate(cr, version):
    env = api.Environment(cr, SUPERUSER_ID, {})
    env["crm.lead"]._migrate_to_call_records()
