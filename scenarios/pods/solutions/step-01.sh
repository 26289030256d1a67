#!/usr/bin/env bash
# Reference solution of a quiz step: the answers, saved where labcheck reads them (FILES_DIR, else here).
set -euo pipefail
cp "$(dirname "$0")/quiz-answers.yaml" "${FILES_DIR:-.}/labcheck-answers.yaml"
