#!/usr/bin/env python3
# Reference renderings of chat templates by Python's Jinja, set up as transformers sets it up for
# apply_chat_template (ImmutableSandboxedEnvironment, trim_blocks, lstrip_blocks, loopcontrols, raise_exception;
# the config's bos/eos/pad/unk tokens as variables; tools=None, documents=None). Writes chat-reference.json beside
# this file for ChatTemplateTest: for each tokenizer (.plaudit-cache/hf/NAME, fetched by scripts/hf-tokenizer-files.sh)
# the sha256 of its chat_template and the rendering of every case of chat-cases.json.
# Run it again (python3 with Jinja2) when chat-cases.json or a fetched template changes; the test says when.
#   python3 kernel/src/test/resources/text/chat-reference.py
import hashlib, json, os, sys
import jinja2
from jinja2.ext import loopcontrols
from jinja2.sandbox import ImmutableSandboxedEnvironment

here = os.path.dirname(os.path.abspath(__file__))
repo = os.path.abspath(os.path.join(here, *[os.pardir] * 5))
cases = json.load(open(os.path.join(here, 'chat-cases.json'), encoding='utf-8'))


def raise_exception(message):
    raise jinja2.exceptions.TemplateError(message)


env = ImmutableSandboxedEnvironment(trim_blocks=True, lstrip_blocks=True, extensions=[loopcontrols])
env.globals['raise_exception'] = raise_exception
out = {'renderer': 'Python Jinja2 ' + jinja2.__version__ + ' as transformers apply_chat_template sets it up', 'templates': {}}
for name in ('llama3', 'qwen3'):
    config = json.load(open(os.path.join(repo, '.plaudit-cache', 'hf', name, 'tokenizer_config.json'), encoding='utf-8'))
    source = config['chat_template']
    tokens = {}
    for key in ('bos_token', 'eos_token', 'pad_token', 'unk_token'):
        value = config.get(key)
        value = value.get('content') if isinstance(value, dict) else value
        if isinstance(value, str):
            tokens[key] = value
    template = env.from_string(source)
    renderings = [template.render(messages=c['messages'], tools=None, documents=None,
                                  add_generation_prompt=c['add_generation_prompt'], **tokens, **c.get('variables', {}))
                  for c in cases]
    out['templates'][name] = {'sha256': hashlib.sha256(source.encode('utf-8')).hexdigest(), 'renderings': renderings}
with open(os.path.join(here, 'chat-reference.json'), 'w', encoding='utf-8') as f:
    json.dump(out, f, indent=1, ensure_ascii=False)
    f.write('\n')
print('wrote', os.path.join(here, 'chat-reference.json'), file=sys.stderr)
