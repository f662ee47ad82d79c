#!/usr/bin/env python3
"""Checks the addon's wheel (tools/test.sh, stage 5) and installs it into a throw-away target.

    python3 dev/check_wheel.py DIST TARGET

The wheel holds the addon under odoo/addons/crm_deal_phases - code, data, views, i18n, static
files and tests - and nothing of dev/, tools/, .ci/ or the development files.
"""

import subprocess
import sys
import zipfile
from pathlib import Path

ADDON = "crm_deal_phases"
PREFIX = f"odoo/addons/{ADDON}/"
MUST_HOLD = (
    "__manifest__.py",
    "models/deal_phase.py",
    "views/crm_lead_views.xml",
    "data/crm_stage_data.xml",
    "i18n/de.po",
    "static/src/phase_transition_buttons/phase_transition_buttons.js",
    "static/description/icon.png",
    "tests/test_phase_graph.py",
    "readme/DESCRIPTION.md",
)
MUST_NOT_HOLD = (
    "dev/",
    "tools/",
    ".ci/",
    "requirements-test.txt",
    "requirements-dev.txt",
    ".pylintrc",
    "pyproject.toml",
)


def main(dist, target):
    wheels = sorted(Path(dist).glob(f"odoo_addon_{ADDON}-19.0.*.whl"))
    if len(wheels) != 1:
        sys.exit(f"expected one odoo_addon_{ADDON}-19.0.*.whl in {dist}, found {[w.name for w in wheels]}")
    names = zipfile.ZipFile(wheels[0]).namelist()
    addon_files = [name[len(PREFIX) :] for name in names if name.startswith(PREFIX)]
    missing = [name for name in MUST_HOLD if name not in addon_files]
    extra = [name for name in addon_files if name.startswith(MUST_NOT_HOLD)]
    outside = [name for name in names if not name.startswith(PREFIX) and ".dist-info/" not in name]
    if missing or extra or outside:
        sys.exit(f"wheel {wheels[0].name}: missing {missing}, should not hold {extra}, outside the addon {outside}")
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "-q",
            "--no-deps",
            "--disable-pip-version-check",
            "--target",
            target,
            str(wheels[0]),
        ],
        check=True,
    )
    print(f"wheel {wheels[0].name}: {len(addon_files)} files under {PREFIX}, installed into {target}")


if __name__ == "__main__":
    main(*sys.argv[1:3])
