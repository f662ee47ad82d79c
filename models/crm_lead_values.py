from collections import defaultdict

from odoo import api, fields, models, tools
from odoo.exceptions import UserError

from .deal_phase import PhaseIntent, _lt

ADDON = "crm_deal_phases"
# Stored flags the lead computes from its source data: no client writes them, import included.
COMPUTED_FLAGS = ("is_inquiry_complete", "is_gold_standard", "deal_phases_entered", "deal_inquiry_date")
# What the addon's own actions keep (calls, strikes, outcomes, meetings): written only by the
# addon's code, which passes a PhaseIntent no RPC client can build.
SYSTEM_FIELDS = (
    "call_count",
    "last_call_date",
    "strike_count",
    "strike_notes",
    "no_show_count",
    "postponed_count",
    "needed_second_meeting",
    "origin_lead_id",
    "first_meeting_event_id",
    "second_meeting_event_id",
    "setter_appointment_event_id",
    "next_call_due",
    "call_back_at",
    "call_back_user_id",
    "phone_needs_check",
    "intake_source_id",
    "reinquiry_count",
    "last_inquiry_date",
)
M2M_COMMANDS = {0: 3, 1: 3, 2: 2, 3: 2, 4: 2, 5: 1, 6: 3}  # command: length


def _is_text(value):
    return value is False or value is None or isinstance(value, str)


def _parses_with(parse):
    def check(value):
        if value is False or value is None:
            return True
        try:
            return bool(parse(value))
        except (TypeError, ValueError):
            return False

    return check


# field type: (check, what it expects, as in "expected a whole number")
TYPE_EXPECTATIONS = {
    "integer": (lambda value: type(value) is int, _lt("a whole number")),
    "float": (lambda value: type(value) in (int, float), _lt("a number")),
    "monetary": (lambda value: type(value) in (int, float), _lt("a number")),
    "boolean": (lambda value: type(value) is bool, _lt("true or false")),
    "char": (_is_text, _lt("a text")),
    "text": (_is_text, _lt("a text")),
    "selection": (_is_text, _lt("a text")),
    "datetime": (_parses_with(fields.Datetime.to_datetime), _lt("a date and time (YYYY-MM-DD HH:MM:SS)")),
    "date": (_parses_with(fields.Date.to_date), _lt("a date (YYYY-MM-DD)")),
}


class CrmLead(models.Model):
    """What a client may write, checked before anything is written: the values of the
    addon's fields and of the fields that move a stage must be what their type expects
    (an id, not a list holding one), computed flags are never written, and the counters the
    addon keeps are written by its own actions only."""

    _inherit = "crm.lead"

    # BUSINESS

    @api.model
    @tools.ormcache()
    def _stage_moving_fields(self):
        """The fields whose change may move a lead's stage or team, read from Odoo's own
        dependency graph: stage_id, and whatever crm's computes recompute it from (the team,
        the salesperson, the type, ...). Writes of any other field cannot move a stage."""
        watched = {self._fields["stage_id"], self._fields["team_id"]}
        return frozenset(
            name
            for name, field in self._fields.items()
            if field in watched or watched & set(self.pool.get_dependent_fields(field))
        )

    @api.model
    @tools.ormcache()
    def _own_fields(self):
        """The addon's own stored fields: checked on every write, whichever lead it concerns."""
        return frozenset(name for name, field in self._fields.items() if ADDON in field._modules and not field.compute)

    @api.model
    @tools.ormcache()
    def _validated_fields(self):
        return frozenset(self._own_fields() | self._stage_moving_fields() | {"stage_id"})

    def _checked_values(self, vals, creating=False, governed=True):
        return self._checked_values_list([vals], creating, governed)[0]

    def _checked_values_list(self, vals_list, creating=False, governed=True):
        """Checked copies of vals_list, or a clear error naming the leads, the field and what
        it expects; the ids given are looked up once per model for the whole list. No stage
        on creation lets the pipeline decide (Inquiry received where the phases apply); a
        lead that follows the phases never loses its stage. Where no lead follows the phases
        (governed=False) only the addon's own fields are checked: crm's values are crm's."""
        validated = self._validated_fields() if governed else self._own_fields()
        watched = validated | set(COMPUTED_FLAGS)
        if not governed and all(isinstance(vals, dict) and not vals.keys() & watched for vals in vals_list):
            return vals_list
        missing_ids = defaultdict(set)
        checked = []
        for vals in vals_list:
            if not isinstance(vals, dict):
                raise UserError(self.env._("The values to write must be a dictionary of field names and values."))
            self._check_protected_fields(vals)
            vals = dict(vals)
            for name in vals.keys() & validated:
                vals[name] = self._checked_value(name, vals[name], missing_ids)
            if governed and "stage_id" in vals and not vals["stage_id"]:
                if creating:
                    del vals["stage_id"]
                elif self._governed_leads() or any(lead.deal_phase for lead in self):
                    raise UserError(
                        self.env._(
                            "%s: a lead that follows the deal phases always has a stage; nothing was changed.",
                            self._described_records(creating),
                        )
                    )
            checked.append(vals)
        missing_ids["res.users"].discard(self.env.uid)  # the user making the call exists
        for model, ids in missing_ids.items():
            if not ids:
                continue
            unknown = ids - set(self.env[model].sudo().browse(list(ids)).exists().ids)
            if unknown:
                raise UserError(
                    self.env._(
                        "%(records)s: there is no %(model)s with the id %(ids)s; nothing was changed.",
                        records=self._described_records(creating),
                        model=self.env[model]._description,
                        ids=", ".join(map(str, sorted(unknown))),
                    )
                )
        return checked

    def _check_protected_fields(self, vals):
        flags = [name for name in COMPUTED_FLAGS if name in vals]
        if flags:
            raise UserError(
                self.env._(
                    "%(fields)s cannot be written: the lead computes them from its data (first and last name, "
                    "mobile number, the gold-standard criteria met, its phases). Set those instead; nothing was "
                    "changed.",
                    fields=", ".join(self._fields[name]._description_string(self.env) for name in flags),
                )
            )
        system = [name for name in SYSTEM_FIELDS if name in vals]
        if system and not PhaseIntent.of(self.env):
            raise UserError(
                self.env._(
                    "%(fields)s cannot be written directly: they are kept by the deal phases' own actions "
                    "(goodwill calls, strikes, outcomes, postponements, bookings). Use those; nothing was changed.",
                    fields=", ".join(self._fields[name]._description_string(self.env) for name in system),
                )
            )

    def _checked_value(self, name, value, missing_ids):
        """value as the field's type expects it, or a UserError; ids to look up are collected
        in missing_ids ({model: ids}) and checked once per model."""
        field = self._fields[name]
        if field.type == "many2one":
            if isinstance(value, models.BaseModel) and value._name == field.comodel_name and len(value) <= 1:
                return value.id
            if value is False or value is None:
                return False
            if type(value) is int and value > 0:
                if not (name == "stage_id" and value in self.env["crm.stage"]._phase_by_stage_id()):
                    missing_ids[field.comodel_name].add(value)
                return value
            self._raise_bad_value(
                field, value, self.env._("the id of one %s", self.env[field.comodel_name]._description)
            )
        if field.type == "many2many":
            return self._checked_commands(field, value, missing_ids)
        expected = TYPE_EXPECTATIONS.get(field.type)
        if expected and not expected[0](value):
            self._raise_bad_value(field, value, self.env._(expected[1]))
        if field.type == "selection" and value and value not in dict(field._description_selection(self.env)):
            self._raise_bad_value(
                field, value, self.env._("one of %s", ", ".join(dict(field._description_selection(self.env))))
            )
        return value

    def _checked_commands(self, field, value, missing_ids):
        if value is False or value is None:
            return value
        if isinstance(value, (list, tuple)):
            ids = []
            for command in value:
                if type(command) is int and command > 0:
                    ids.append(command)
                    continue
                if (
                    not isinstance(command, (list, tuple))
                    or not command
                    or command[0] not in M2M_COMMANDS
                    or len(command) < M2M_COMMANDS[command[0]]
                ):
                    break
                if command[0] == 6:
                    if not isinstance(command[2], (list, tuple)) or not all(
                        type(i) is int and i > 0 for i in command[2]
                    ):
                        break
                    ids.extend(command[2])
                elif command[0] in (1, 2, 3, 4):
                    if type(command[1]) is not int or command[1] <= 0:
                        break
                    ids.append(command[1])
            else:
                missing_ids[field.comodel_name].update(ids)
                return value
        self._raise_bad_value(field, value, self.env._("a list of ids or of Odoo's x2many commands"))

    def _raise_bad_value(self, field, value, expected):
        raise UserError(
            self.env._(
                '%(records)s: %(value)s is not a valid value for "%(field)s"; expected %(expected)s. '
                "Nothing was changed.",
                records=self._described_records(not self),
                value=repr(value)[:80],
                field=field._description_string(self.env),
                expected=expected,
            )
        )

    def _described_records(self, creating):
        if creating or not self:
            return self.env._("New lead")
        names = ", ".join(f'"{name}"' for name in self[:5].mapped("display_name"))
        return names + (self.env._(" and %s more", len(self) - 5) if len(self) > 5 else "")
