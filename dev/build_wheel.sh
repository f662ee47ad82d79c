#!/usr/bin/env bash
# Builds the addon's wheel, odoo_addon_crm_deal_phases-19.0.*.whl, into DIST (default dist/):
# the addon's files under git control, staged in a folder named after the addon (whool names
# the package after its folder), without dev/, .ci/ and the development files; whool
# (pyproject.toml) packs them under odoo/addons/crm_deal_phases.
set -euo pipefail
source "$(dirname "$0")/common.sh"

DIST=$(realpath -m "${1:-$ADDON_DIR/dist}")
STAGE=$(mktemp -d /tmp/crm_deal_phases_wheel.XXXXXX)
trap 'rm -rf "$STAGE"' EXIT
mkdir -p "$STAGE/$ADDON_NAME" "$DIST"
git -C "$ADDON_DIR" ls-files -z | grep -zvE "$WHEEL_EXCLUDE" |
    (cd "$ADDON_DIR" && xargs -0 cp --parents -t "$STAGE/$ADDON_NAME")
"$PYTHON" -m pip wheel -q --no-deps --no-build-isolation --disable-pip-version-check \
    --wheel-dir "$DIST" "$STAGE/$ADDON_NAME" >&2
ls "$DIST"/odoo_addon_"$ADDON_NAME"-*.whl
