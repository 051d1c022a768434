#!/usr/bin/python3
"""Plain-PyTorch reference for `plaudit logprobs` on Llama-family models (llama, qwen2, qwen3).

Usage: pytorch_llama.py DIR < ids.json  ->  one JSON array of the n-1 log p(ids[i] | ids[:i]), i = 1..n-1.

Written from Hugging Face's modeling_llama / modeling_qwen2 / modeling_qwen3, independently of Plaudit's Java code:
RMSNorm in float32, RoPE on the halves (rotate_half) with optional `llama3` rope scaling, grouped-query attention by
repeating each key/value head num_attention_heads / num_key_value_heads times (HF's repeat_kv), SwiGLU MLP, Qwen2's
q/k/v bias, Qwen3's per-head q/k RMSNorm, tied or untied output head. Weights are read from model.safetensors or the
shards of model.safetensors.index.json, with the `safetensors` package when present, else with the standard library
(as bench/pytorch_gpt.py does); bf16/f16 weights are computed in float32. Runs with Debian's python3-torch.
"""
import json
import math
import os
import struct
import sys

import torch
import torch.nn.functional as F

TYPES = {"F32": torch.float32, "F16": torch.float16, "BF16": torch.bfloat16}


def read_safetensors(path):
    try:
        from safetensors.torch import load_file
        return {k: v.float() for k, v in load_file(path).items()}
    except ImportError:
        pass
    with open(path, "rb") as f:
        (n,) = struct.unpack("<Q", f.read(8))
        header = json.loads(f.read(n))
        data = bytearray(f.read())
    out = {}
    for name, e in header.items():
        if name == "__metadata__":
            continue
        begin, end = e["data_offsets"]
        t = torch.frombuffer(data[begin:end], dtype=TYPES[e["dtype"]]) if end > begin else torch.empty(0)
        out[name] = t.reshape(e["shape"]).float().clone()
    return out


def read_weights(folder):
    single = os.path.join(folder, "model.safetensors")
    if os.path.exists(single):
        return read_safetensors(single)
    with open(os.path.join(folder, "model.safetensors.index.json")) as f:
        shards = sorted(set(json.load(f)["weight_map"].values()))
    weights = {}
    for shard in shards:
        weights.update(read_safetensors(os.path.join(folder, shard)))
    return weights


def inv_freq(cfg, head_dim):
    scaling = cfg.get("rope_parameters") or cfg.get("rope_scaling")  # transformers 5 moved both into rope_parameters
    theta = (scaling or {}).get("rope_theta", cfg.get("rope_theta", 10000.0))
    freq = 1.0 / (theta ** (torch.arange(0, head_dim, 2, dtype=torch.int64).float() / head_dim))
    if scaling and scaling.get("rope_type", scaling.get("type")) == "llama3":
        factor = scaling["factor"]
        low, high = scaling["low_freq_factor"], scaling["high_freq_factor"]
        old = scaling["original_max_position_embeddings"]
        wavelen = 2 * math.pi / freq
        scaled = torch.where(wavelen > old / low, freq / factor, freq)
        smooth = (old / wavelen - low) / (high - low)
        smoothed = (1 - smooth) * scaled / factor + smooth * scaled
        medium = ~(wavelen < old / high) * ~(wavelen > old / low)
        freq = torch.where(medium, smoothed, scaled)
    return freq


def rms_norm(x, weight, eps):
    x = x.float()
    return weight * (x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + eps))


def rotate_half(x):
    half = x.shape[-1] // 2
    return torch.cat((-x[..., half:], x[..., :half]), dim=-1)


def linear(w, name, x):
    return F.linear(x, w[name + ".weight"], w.get(name + ".bias"))


def log_probs(folder, ids):
    with open(os.path.join(folder, "config.json")) as f:
        cfg = json.load(f)
    w = read_weights(folder)
    kind = cfg["model_type"]
    hidden, heads = cfg["hidden_size"], cfg["num_attention_heads"]
    kv_heads = cfg.get("num_key_value_heads") or heads
    head_dim = cfg.get("head_dim") or hidden // heads
    eps = cfg.get("rms_norm_eps", 1e-6)
    t = len(ids)

    freq = inv_freq(cfg, head_dim)
    angles = torch.arange(t).float()[:, None] * freq[None, :]
    emb = torch.cat((angles, angles), dim=-1)
    cos, sin = emb.cos(), emb.sin()
    causal = torch.full((t, t), float("-inf")).triu(1)

    x = w["model.embed_tokens.weight"][torch.tensor(ids)][None]  # [1, T, H]
    for i in range(cfg["num_hidden_layers"]):
        p = "model.layers.%d." % i
        h = rms_norm(x, w[p + "input_layernorm.weight"], eps)
        q = linear(w, p + "self_attn.q_proj", h).view(1, t, heads, head_dim)
        k = linear(w, p + "self_attn.k_proj", h).view(1, t, kv_heads, head_dim)
        v = linear(w, p + "self_attn.v_proj", h).view(1, t, kv_heads, head_dim)
        if kind == "qwen3":
            q = rms_norm(q, w[p + "self_attn.q_norm.weight"], eps)
            k = rms_norm(k, w[p + "self_attn.k_norm.weight"], eps)
        q, k, v = q.transpose(1, 2), k.transpose(1, 2), v.transpose(1, 2)
        q = q * cos + rotate_half(q) * sin
        k = k * cos + rotate_half(k) * sin
        k = k.repeat_interleave(heads // kv_heads, dim=1)  # head h reads kv head h // group
        v = v.repeat_interleave(heads // kv_heads, dim=1)
        att = F.softmax(q @ k.transpose(2, 3) / math.sqrt(head_dim) + causal, dim=-1)
        y = (att @ v).transpose(1, 2).reshape(1, t, heads * head_dim)
        x = x + linear(w, p + "self_attn.o_proj", y)
        h = rms_norm(x, w[p + "post_attention_layernorm.weight"], eps)
        gate = linear(w, p + "mlp.gate_proj", h)
        x = x + linear(w, p + "mlp.down_proj", F.silu(gate) * linear(w, p + "mlp.up_proj", h))
    x = rms_norm(x, w["model.norm.weight"], eps)
    head = w["model.embed_tokens.weight"] if cfg.get("tie_word_embeddings", False) else w["lm_head.weight"]
    logp = F.log_softmax(x[0] @ head.T, dim=-1)
    return [logp[i - 1, ids[i]].item() for i in range(1, t)]


if __name__ == "__main__":
    torch.set_num_threads(1)
    with torch.no_grad():
        print(json.dumps(log_probs(sys.argv[1], json.load(sys.stdin))))
