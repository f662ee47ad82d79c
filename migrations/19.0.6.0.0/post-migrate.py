"""19.0.6.0.0: an early decision tells the customer by default (calendar's cancellation takes
the consultation out of their calendar). The old switch, off unless ticked, becomes a choice:
a database that ticked it tells, one that never did tells now too; "the closer tells" is chosen
in the settings."""

from odoo.tools import SQL


def migrate(cr, version):
    cr.execute(SQL("DELETE FROM ir_config_parameter WHERE key = 'crm_deal_phases.tell_customer_on_early_outcome'"))
