"""19.0.1.1.0 makes a phase change cheaper: the lead's deal phase is read through its stage
instead of being stored on every lead, and the phase log keeps who and when in its own
user and date columns only. Drop what the ORM no longer maintains, so no stale copy and
no unused index stays behind."""

from odoo.tools import SQL


def migrate(cr, version):
    cr.execute(SQL("ALTER TABLE crm_lead DROP COLUMN IF EXISTS deal_phase"))
    cr.execute(
        SQL(
            """
            ALTER TABLE crm_deal_phase_log
                DROP COLUMN IF EXISTS create_uid,
                DROP COLUMN IF EXISTS create_date,
                DROP COLUMN IF EXISTS write_uid,
                DROP COLUMN IF EXISTS write_date
            """
        )
    )
