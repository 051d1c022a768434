#!/usr/bin/env node
// Reference token ids for the Hugging Face tokenizer tests, from an implementation independent of the one Plaudit
// uses (Hugging Face's Rust tokenizers through DJL): @lenml/tokenizers, a JavaScript fork of transformers.js.
// Run by scripts/hf-tokenizer-files.sh:  node hf-reference.mjs LENML_TOKENIZERS_DIR STRINGS_JSON TOKENIZER_DIR OUT_JSON
// Writes, for every string of STRINGS_JSON, its ids without added BOS/EOS (add_special_tokens: false), twice:
//   "allow_special": text such as <|eot_id|> becomes its special token (Hugging Face's default),
//   "special_as_text": special tokens are ordinary text, computed with the special added tokens taken out of
//   tokenizer.json (Plaudit's meaning of tokenize without --allow-special; non-special added tokens still match).
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

const [lenml, stringsFile, tokenizerDir, outFile] = process.argv.slice(2);
const { TokenizerLoader } = await import(pathToFileURL(path.join(lenml, 'dist/main.mjs')).href);
const readJson = f => JSON.parse(fs.readFileSync(f, 'utf8'));
const tokenizerJSON = readJson(path.join(tokenizerDir, 'tokenizer.json'));
const tokenizerConfig = readJson(path.join(tokenizerDir, 'tokenizer_config.json'));
const strings = readJson(stringsFile);

function idsOf(json) {
  // the config's added_tokens_decoder would bring the special tokens back; the tokenizer.json is the whole truth here
  const config = { ...tokenizerConfig, added_tokens_decoder: undefined };
  const tokenizer = TokenizerLoader.fromPreTrained({ tokenizerJSON: json, tokenizerConfig: config });
  const ids = {};
  for (const s of strings) ids[s] = Array.from(tokenizer.encode(s, { add_special_tokens: false }));
  return ids;
}

const plain = { ...tokenizerJSON, added_tokens: tokenizerJSON.added_tokens.filter(t => !t.special) };
const out = { encoder: '@lenml/tokenizers (npm, JavaScript)', allow_special: idsOf(tokenizerJSON), special_as_text: idsOf(plain) };
fs.writeFileSync(outFile, JSON.stringify(out, null, 1) + '\n');
