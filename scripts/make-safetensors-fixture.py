#!/usr/bin/env python3
"""Writes a tiny Hugging Face GPT-2 folder with the standard library only (struct + json), as an independent check of
Plaudit's safetensors reader (kernel/src/test/java/plaudit/model/SafetensorsFixtureTest.java).

Shape: n_layer 1, n_embd 8, n_head 2, vocab 11, n_positions 6. Like a GPT2Model save, the names lack the
"transformer." prefix and the file carries the causal-mask buffer h.0.attn.bias. Every tensor is F32 except
h.0.ln_1.weight, stored as F16. The header lists the tensors in reverse name order while the data section holds them
in name order, so a reader must follow data_offsets rather than header order.

Element i of tensor `name` is value(name, i) = ((seed(name) * 31 + i * 7) % 97 - 48) / 64, with seed = sum of the
name's code points: multiples of 1/64 in [-0.75, 0.75], exact in both F16 and F32. The mask buffer holds 1.0 on and
below the diagonal and 0.0 above it.

With --verify DIR it works the other way round: it reads DIR/model.safetensors and DIR/config.json as written by
Plaudit, checks them the way the reference loader and GPT2Config would (contiguous data_offsets, "format": "pt"
metadata, GPT-2 names and shapes matching the config) and prints, as JSON, each tensor's dtype, shape and the sum of
its values, which CheckpointPythonTest compares with Java's.

Usage: python3 scripts/make-safetensors-fixture.py [out_dir]   (default kernel/src/test/resources/model/hf-tiny-gpt2)
       python3 scripts/make-safetensors-fixture.py --verify DIR
"""
import json
import math
import os
import struct
import sys

N_LAYER, N_EMBD, N_HEAD, VOCAB, N_POSITIONS = 1, 8, 2, 11, 6
F16_TENSOR = "h.0.ln_1.weight"


def value(name, i):
    seed = sum(ord(ch) for ch in name)
    return ((seed * 31 + i * 7) % 97 - 48) / 64


def shapes(n_layer=N_LAYER, c=N_EMBD, vocab=VOCAB, n_positions=N_POSITIONS):
    out = {"wte.weight": [vocab, c], "wpe.weight": [n_positions, c]}
    for layer in range(n_layer):
        h = f"h.{layer}."
        out.update({
            h + "ln_1.weight": [c], h + "ln_1.bias": [c],
            h + "attn.c_attn.weight": [c, 3 * c], h + "attn.c_attn.bias": [3 * c],
            h + "attn.c_proj.weight": [c, c], h + "attn.c_proj.bias": [c],
            h + "ln_2.weight": [c], h + "ln_2.bias": [c],
            h + "mlp.c_fc.weight": [c, 4 * c], h + "mlp.c_fc.bias": [4 * c],
            h + "mlp.c_proj.weight": [4 * c, c], h + "mlp.c_proj.bias": [c],
        })
    out["ln_f.weight"] = [c]
    out["ln_f.bias"] = [c]
    return out


def write_safetensors(path):
    tensors = {}  # name -> (dtype, shape, bytes)
    for name, shape in shapes().items():
        values = [value(name, i) for i in range(math.prod(shape))]
        if name == F16_TENSOR:
            tensors[name] = ("F16", shape, struct.pack(f"<{len(values)}e", *values))
        else:
            tensors[name] = ("F32", shape, struct.pack(f"<{len(values)}f", *values))
    for layer in range(N_LAYER):
        t = N_POSITIONS
        mask = [1.0 if col <= row else 0.0 for row in range(t) for col in range(t)]
        tensors[f"h.{layer}.attn.bias"] = ("F32", [1, 1, t, t], struct.pack(f"<{len(mask)}f", *mask))

    header, data, offset = {}, b"", 0
    for name in sorted(tensors):
        dtype, shape, raw = tensors[name]
        header[name] = {"dtype": dtype, "shape": shape, "data_offsets": [offset, offset + len(raw)]}
        data += raw
        offset += len(raw)
    ordered = {"__metadata__": {"format": "pt"}}
    for name in sorted(header, reverse=True):
        ordered[name] = header[name]
    text = json.dumps(ordered, separators=(",", ":")).encode("utf-8")
    text += b" " * (-len(text) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)))
        f.write(text)
        f.write(data)


def write_config(path):
    config = {
        "activation_function": "gelu_new", "architectures": ["GPT2Model"], "attn_pdrop": 0.1, "bos_token_id": 10,
        "embd_pdrop": 0.1, "eos_token_id": 10, "initializer_range": 0.02, "layer_norm_epsilon": 1e-05,
        "model_type": "gpt2", "n_ctx": N_POSITIONS, "n_embd": N_EMBD, "n_head": N_HEAD, "n_inner": None,
        "n_layer": N_LAYER, "n_positions": N_POSITIONS, "resid_pdrop": 0.1, "summary_activation": None,
        "summary_first_dropout": 0.1, "summary_proj_to_labels": True, "summary_type": "cls_index",
        "summary_use_proj": True, "task_specific_params": {"text-generation": {"do_sample": True, "max_length": 50}},
        "torch_dtype": "float32", "transformers_version": "4.44.0", "use_cache": True, "vocab_size": VOCAB,
    }
    with open(path, "w") as f:
        json.dump(config, f, indent=2, sort_keys=True)
        f.write("\n")


def write_tokenizer_pair(out_dir):
    """A byte-level BPE vocabulary of 11 entries: 8 single characters, 2 merges, and <|endoftext|> last (id 10)."""
    merges = [("l", "o"), ("lo", "w")]
    tokens = ["e", "l", "o", "r", "s", "t", "w", "\u0120"] + ["".join(m) for m in merges] + ["<|endoftext|>"]
    with open(os.path.join(out_dir, "vocab.json"), "w") as f:
        json.dump({tok: i for i, tok in enumerate(tokens)}, f, ensure_ascii=False)
    with open(os.path.join(out_dir, "merges.txt"), "w", encoding="utf-8") as f:
        f.write("#version: 0.2\n")
        for a, b in merges:
            f.write(f"{a} {b}\n")


def read_safetensors(path):
    """Returns (metadata, {name: (dtype, shape, values)}), checking the layout rules of the format."""
    with open(path, "rb") as f:
        blob = f.read()
    (n,) = struct.unpack("<Q", blob[:8])
    if 8 + n > len(blob):
        raise ValueError(f"{path}: header length {n} beyond the file")
    header = json.loads(blob[8:8 + n].decode("utf-8"))
    data = blob[8 + n:]
    metadata = header.pop("__metadata__", {})
    tensors, end = {}, 0
    for name, info in sorted(header.items(), key=lambda kv: kv[1]["data_offsets"]):
        begin, stop = info["data_offsets"]
        if begin != end:
            raise ValueError(f"{path}: tensor {name} starts at {begin}, expected {end}")
        raw, end = data[begin:stop], stop
        count = len(raw) // {"F32": 4, "F16": 2, "BF16": 2}[info["dtype"]]
        if info["dtype"] == "F32":
            values = struct.unpack(f"<{count}f", raw)
        elif info["dtype"] == "F16":
            values = struct.unpack(f"<{count}e", raw)
        else:
            values = [struct.unpack("<f", struct.pack("<I", h << 16))[0] for h in struct.unpack(f"<{count}H", raw)]
        shape = info["shape"]
        if count != math.prod(shape):
            raise ValueError(f"{path}: tensor {name} has {count} values for shape {shape}")
        tensors[name] = (info["dtype"], shape, values)
    if end != len(data):
        raise ValueError(f"{path}: {len(data) - end} trailing bytes")
    return metadata, tensors


def plain_sum(values):
    """Left-to-right double addition (sum() of floats is compensated since Python 3.12), which Java can repeat."""
    total = 0.0
    for v in values:
        total += v
    return total


def verify(folder):
    metadata, tensors = read_safetensors(os.path.join(folder, "model.safetensors"))
    if metadata.get("format") != "pt":
        raise ValueError("transformers needs __metadata__ {'format': 'pt'}")
    with open(os.path.join(folder, "config.json")) as f:
        config = json.load(f)
    if config["model_type"] != "gpt2" or config["architectures"] != ["GPT2LMHeadModel"]:
        raise ValueError("config.json is not a GPT2LMHeadModel config")
    gpt2 = shapes(config["n_layer"], config["n_embd"], config["vocab_size"], config["n_positions"])
    expected = {"transformer." + name: shape for name, shape in gpt2.items()}
    actual = {name: t[1] for name, t in tensors.items()}
    if expected != actual:
        differing = sorted(n for n in expected.keys() | actual.keys() if expected.get(n) != actual.get(n))
        raise ValueError(f"names/shapes differ from GPT-2's: {differing}")
    report = {name: {"dtype": t[0], "shape": t[1], "sum": plain_sum(t[2])} for name, t in sorted(tensors.items())}
    print(json.dumps(report))


def main():
    if len(sys.argv) == 3 and sys.argv[1] == "--verify":
        verify(sys.argv[2])
        return
    out_dir = sys.argv[1] if len(sys.argv) > 1 else "kernel/src/test/resources/model/hf-tiny-gpt2"
    os.makedirs(out_dir, exist_ok=True)
    write_safetensors(os.path.join(out_dir, "model.safetensors"))
    write_config(os.path.join(out_dir, "config.json"))
    write_tokenizer_pair(out_dir)


if __name__ == "__main__":
    main()
