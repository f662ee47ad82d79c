from pathlib import Path

import polib

from odoo.tests import TransactionCase, tagged
from odoo.tools.translate import TranslationModuleReader

I18N = Path(__file__).resolve().parent.parent / "i18n"


@tagged("post_install", "-at_install", "crm_deal_phases")
class TestGermanTranslation(TransactionCase):
    """German first: every term of the addon has a German translation, and the .pot is current."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # demo records are written in German already: their terms are no part of the translation
        cls.current_terms = {
            line[4]
            for line in TranslationModuleReader(cls.env.cr, ["crm_deal_phases"])
            if line[4] and ".demo_" not in str(line[3])
        }
        cls.pot = polib.pofile(str(I18N / "crm_deal_phases.pot"))
        cls.german = polib.pofile(str(I18N / "de.po"))

    def test_pot_is_current(self):
        self.assertEqual(
            self.current_terms - {entry.msgid for entry in self.pot},
            set(),
            "terms missing from the .pot: run dev/update_translations.py",
        )

    def test_every_term_has_a_german_translation(self):
        translated = {entry.msgid for entry in self.german if entry.msgstr.strip()}
        self.assertEqual(self.current_terms - translated, set(), "terms without German translation in i18n/de.po")

    def test_seed_terms_in_german(self):
        german = {entry.msgid: entry.msgstr for entry in self.german}
        for source, expected in (
            ("Inquiry received", "Anfrage eingegangen"),
            ("Follow-up", "Nachverfolgung"),
            ("Qualified (no appointment)", "Qualifiziert (ohne Termin)"),
            ("First consultation", "Erstgespräch"),
            ("Second consultation", "Folgegespräch"),
            ("Sold", "Verkauft"),
            ("Not sold", "Nicht verkauft"),
            ("Unqualified", "Unqualifiziert"),
            ("Gold Standard", "Goldstandard"),
        ):
            self.assertEqual(german.get(source), expected)
