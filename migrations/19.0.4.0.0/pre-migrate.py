"""19.0.4.0.0: the phase history's references to users, teams, stages and companies carry no
foreign key (AuditReference in models/crm_deal_phase_log.py): dropped here, with their
reflection, so that a move pays no key checks; the ORM's unlink of those records clears the
references as the keys' ON DELETE SET NULL did."""

from odoo.addons.crm_deal_phases.models.crm_deal_phase_log import AUDIT_REFERENCES
from odoo.tools import SQL


def migrate(cr, version):
    cr.execute(
        SQL(
            """
            SELECT con.conname
              FROM pg_constraint con
              JOIN pg_attribute att ON att.attrelid = con.conrelid AND att.attnum = ANY(con.conkey)
             WHERE con.conrelid = 'crm_deal_phase_log'::regclass AND con.contype = 'f'
               AND att.attname = ANY(%s)
            """,
            list(AUDIT_REFERENCES),
        )
    )
    names = [name for (name,) in cr.fetchall()]
    for name in names:
        cr.execute(SQL("ALTER TABLE crm_deal_phase_log DROP CONSTRAINT %s", SQL.identifier(name)))
    if names:
        cr.execute(SQL("DELETE FROM ir_model_constraint WHERE name = ANY(%s) AND type = 'f'", names))
