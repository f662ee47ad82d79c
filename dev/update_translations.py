#!/usr/bin/env python3
"""Refresh i18n/crm_deal_phases.pot from a database that has the addon installed, and merge
it into i18n/de.po, keeping every existing German translation.

    python3 dev/update_translations.py ODOO_CONFIG DATABASE

Prints the msgids that still have no German translation (the suite fails on them).
"""

import subprocess
import sys
from pathlib import Path

import polib

ADDON = Path(__file__).resolve().parent.parent
POT = ADDON / "i18n" / "crm_deal_phases.pot"
DE_PO = ADDON / "i18n" / "de.po"


def main(config, database):
    subprocess.run(
        [
            sys.executable,
            "-m",
            "odoo",
            "i18n",
            "export",
            "-c",
            config,
            "-d",
            database,
            "crm_deal_phases",
            "-o",
            str(POT),
        ],
        check=True,
    )
    template = polib.pofile(str(POT))
    old = polib.pofile(str(DE_PO)) if DE_PO.exists() else polib.POFile()
    known = {(entry.msgctxt, entry.msgid): entry.msgstr for entry in old if entry.msgstr}
    known_by_id = {entry.msgid: entry.msgstr for entry in old if entry.msgstr}
    german = polib.POFile(wrapwidth=78)
    german.metadata = {
        "Project-Id-Version": "Odoo Server 19.0",
        "Language": "de",
        "MIME-Version": "1.0",
        "Content-Type": "text/plain; charset=UTF-8",
        "Content-Transfer-Encoding": "",
        "Plural-Forms": "nplurals=2; plural=(n != 1);",
    }
    missing = []
    for entry in template:
        translated = known.get((entry.msgctxt, entry.msgid)) or known_by_id.get(entry.msgid, "")
        german.append(
            polib.POEntry(
                msgid=entry.msgid,
                msgctxt=entry.msgctxt,
                msgstr=translated,
                occurrences=entry.occurrences,
                comment=entry.comment,
                tcomment=entry.tcomment,
                flags=entry.flags,
            )
        )
        if not translated:
            missing.append(entry.msgid)
    german.save(str(DE_PO))
    for msgid in missing:
        print(f"untranslated: {msgid!r}")
    print(f"{len(template)} strings, {len(missing)} without German translation")


if __name__ == "__main__":
    main(*sys.argv[1:3])
