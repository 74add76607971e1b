#!/usr/bin/env bash
# Extracts the portal's and e-mails' messages and merges them into the French catalogue;
# then translate the new entries in src/telephonist/locales/fr/LC_MESSAGES/messages.po.
set -euo pipefail
cd "$(dirname "$0")/.."
.venv/bin/pybabel extract -F babel.cfg -k _ -k N_ -k _translate:2 --no-location --sort-output \
  --omit-header -o src/telephonist/locales/messages.pot .
.venv/bin/pybabel update -i src/telephonist/locales/messages.pot -d src/telephonist/locales \
  -l fr --no-fuzzy-matching --omit-header
