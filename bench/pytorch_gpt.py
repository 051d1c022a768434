#!/usr/bin/python3
"""PyTorch-eager reference for `plaudit bench --against pytorch`.

The same GPT-2 as plaudit.model.Gpt (pre-LN blocks, fused c_attn, tanh GELU, output layer tied to wte, Hugging Face
names and Conv1D [in, out] layouts), loaded from the safetensors file Plaudit writes, trained with torch.optim.AdamW
under the same hyper-parameters, sampling with a preallocated KV cache: idiomatic PyTorch eager, what a TRL user runs.

Driven by Plaudit over stdin/stdout, one JSON object per line each way, so that both sides can be measured in turns
while this process stays warm. Every timed request answers {"seconds": ...} (plus a check value where useful).
Runs with Debian's python3-torch; nothing but the standard library and torch.
"""
import json
import math
import resource
import struct
import sys
import time

import torch
import torch.nn.functional as F

LN_EPS = 1e-5
DEV = torch.device("cpu")  # set by the init request
SAFETENSORS_TYPES = {"F32": torch.float32, "F16": torch.float16, "BF16": torch.bfloat16}


def read_safetensors(path):
    """name -> tensor of a safetensors file: an 8-byte little-endian header length, a JSON header, then raw data."""
    with open(path, "rb") as f:
        (n,) = struct.unpack("<Q", f.read(8))
        header = json.loads(f.read(n))
        data = bytearray(f.read())
    out = {}
    for name, e in header.items():
        if name == "__metadata__":
            continue
        begin, end = e["data_offsets"]
        t = torch.frombuffer(data[begin:end], dtype=SAFETENSORS_TYPES[e["dtype"]]) if end > begin else torch.empty(0)
        out[name] = t.reshape(e["shape"]).float().clone()
    return out


class Block(torch.nn.Module):
    def __init__(self, c, n_head):
        super().__init__()
        self.n_head = n_head
        self.ln_1 = torch.nn.LayerNorm(c, eps=LN_EPS)
        self.ln_2 = torch.nn.LayerNorm(c, eps=LN_EPS)
        # Conv1D layout as in Hugging Face GPT-2: y = x @ W + b with W [in, out]
        self.c_attn_w = torch.nn.Parameter(torch.empty(c, 3 * c))
        self.c_attn_b = torch.nn.Parameter(torch.empty(3 * c))
        self.attn_proj_w = torch.nn.Parameter(torch.empty(c, c))
        self.attn_proj_b = torch.nn.Parameter(torch.empty(c))
        self.c_fc_w = torch.nn.Parameter(torch.empty(c, 4 * c))
        self.c_fc_b = torch.nn.Parameter(torch.empty(4 * c))
        self.mlp_proj_w = torch.nn.Parameter(torch.empty(4 * c, c))
        self.mlp_proj_b = torch.nn.Parameter(torch.empty(c))

    def attention(self, x, cache, layer, pos):
        b, t, c = x.shape
        hs = c // self.n_head
        q, k, v = torch.addmm(self.c_attn_b, x.reshape(b * t, c), self.c_attn_w).view(b, t, 3, self.n_head, hs) \
            .permute(2, 0, 3, 1, 4)
        if cache is not None:
            keys, values = cache
            keys[layer][:, :, pos:pos + t] = k
            values[layer][:, :, pos:pos + t] = v
            k, v = keys[layer][:, :, :pos + t], values[layer][:, :, :pos + t]
        att = (q @ k.transpose(-2, -1)) * (1.0 / math.sqrt(hs))
        if t > 1:  # causal mask; a single new token may see every cached position
            s = k.shape[2]
            causal = torch.ones(t, s, dtype=torch.bool, device=DEV).tril(diagonal=s - t)
            att = att.masked_fill(~causal, float("-inf"))
        y = (F.softmax(att, dim=-1) @ v).transpose(1, 2).reshape(b * t, c)
        return torch.addmm(self.attn_proj_b, y, self.attn_proj_w).view(b, t, c)

    def mlp(self, x):
        b, t, c = x.shape
        h = F.gelu(torch.addmm(self.c_fc_b, x.reshape(b * t, c), self.c_fc_w), approximate="tanh")
        return torch.addmm(self.mlp_proj_b, h, self.mlp_proj_w).view(b, t, c)

    def forward(self, x, cache, layer, pos):
        x = x + self.attention(self.ln_1(x), cache, layer, pos)
        return x + self.mlp(self.ln_2(x))


class GPT(torch.nn.Module):
    def __init__(self, cfg):
        super().__init__()
        self.cfg = cfg
        c = cfg["n_embd"]
        self.wte = torch.nn.Parameter(torch.empty(cfg["vocab_size"], c))
        self.wpe = torch.nn.Parameter(torch.empty(cfg["block_size"], c))
        self.h = torch.nn.ModuleList(Block(c, cfg["n_head"]) for _ in range(cfg["n_layer"]))
        self.ln_f = torch.nn.LayerNorm(c, eps=LN_EPS)

    def load_hf(self, p):
        names = {"c_attn_w": "attn.c_attn.weight", "c_attn_b": "attn.c_attn.bias",
                 "attn_proj_w": "attn.c_proj.weight", "attn_proj_b": "attn.c_proj.bias",
                 "c_fc_w": "mlp.c_fc.weight", "c_fc_b": "mlp.c_fc.bias",
                 "mlp_proj_w": "mlp.c_proj.weight", "mlp_proj_b": "mlp.c_proj.bias",
                 "ln_1.weight": "ln_1.weight", "ln_1.bias": "ln_1.bias",
                 "ln_2.weight": "ln_2.weight", "ln_2.bias": "ln_2.bias"}
        state = {"wte": p["transformer.wte.weight"], "wpe": p["transformer.wpe.weight"],
                 "ln_f.weight": p["transformer.ln_f.weight"], "ln_f.bias": p["transformer.ln_f.bias"]}
        for i in range(self.cfg["n_layer"]):
            for ours, hf in names.items():
                state[f"h.{i}.{ours}"] = p[f"transformer.h.{i}.{hf}"]
        self.load_state_dict(state)
        return self

    def hidden(self, idx, cache=None, pos=0):
        t = idx.shape[1]
        x = self.wte[idx] + self.wpe[pos:pos + t]
        for i, block in enumerate(self.h):
            x = block(x, cache, i, pos)
        return self.ln_f(x)

    def logits(self, h):
        return h @ self.wte.t()  # tied output layer

    def new_cache(self, batch, capacity):
        """Preallocated keys and values per layer, [B, n_head, capacity, head_size], written in place."""
        cfg = self.cfg
        shape = (batch, cfg["n_head"], capacity, cfg["n_embd"] // cfg["n_head"])
        return ([torch.zeros(shape, device=DEV) for _ in self.h], [torch.zeros(shape, device=DEV) for _ in self.h])


class ScoreModel(torch.nn.Module):
    """A GPT trunk with a scalar head per position (value model / reward model)."""

    def __init__(self, trunk):
        super().__init__()
        self.trunk = trunk
        self.head = torch.nn.Linear(trunk.cfg["n_embd"], 1)
        torch.nn.init.normal_(self.head.weight, std=1 / math.sqrt(trunk.cfg["n_embd"] + 1))
        torch.nn.init.zeros_(self.head.bias)

    def forward(self, idx):
        return self.head(self.trunk.hidden(idx)).squeeze(-1)


def adamw(params, lr):
    """nanoGPT's grouping and defaults, as plaudit.train.AdamW: decay only on matrices, betas (0.9, 0.95)."""
    params = list(params)
    groups = [{"params": [p for p in params if p.dim() >= 2], "weight_decay": 0.1},
              {"params": [p for p in params if p.dim() < 2], "weight_decay": 0.0}]
    return torch.optim.AdamW(groups, lr=lr, betas=(0.9, 0.95), eps=1e-8)


def batch_ids(batch, seq, vocab, salt):
    """The deterministic batch both sides build: id(i) = (i·7919 + 13·salt) mod vocab, row-major."""
    ids = (torch.arange(batch * seq, dtype=torch.int64) * 7919 + 13 * salt).remainder(vocab).view(batch, seq)
    return ids.to(DEV)


def elapsed(t0):
    """Seconds since t0, once the device has finished (CUDA runs asynchronously)."""
    if DEV.type == "cuda":
        torch.cuda.synchronize()
    return time.perf_counter() - t0


@torch.no_grad()
def generate(model, prompts, new_tokens, cached=True):
    """Samples new_tokens per row at temperature 1; returns tokens [B, R] and their log-probs [B, R]."""
    b, p = prompts.shape
    idx = prompts
    cache = model.new_cache(b, p + new_tokens) if cached else None
    h = model.hidden(idx, cache, 0)
    tokens, logps = [], []
    for step in range(new_tokens):
        logp = F.log_softmax(model.logits(h[:, -1]), dim=-1)
        nxt = torch.multinomial(logp.exp(), 1)
        tokens.append(nxt)
        logps.append(logp.gather(-1, nxt))
        if step == new_tokens - 1:
            break
        if cached:
            h = model.hidden(nxt, cache, p + step)
        else:
            idx = torch.cat([idx, nxt], dim=1)
            h = model.hidden(idx)
    return torch.cat(tokens, 1), torch.cat(logps, 1)


def whiten(x, shift_mean=True):
    mean, var = x.mean(), x.var()
    w = (x - mean) * torch.rsqrt(var + 1e-8)
    return w if shift_mean else w + mean


class Bench:
    def __init__(self, req):
        self.cfg = req["config"]
        torch.manual_seed(req.get("seed", 0))
        self.weights = read_safetensors(req["weights"])
        self.model = self.new_gpt()
        self.opt = None
        self.ppo = None

    def new_gpt(self):
        return GPT(self.cfg).load_hf(self.weights).to(DEV)

    def matmul(self, req):
        """[m, k] @ [k, n]; m and k default to n (a square)."""
        n, reps = req["n"], req["reps"]
        m, k = req.get("m", n), req.get("k", n)
        a, b = torch.randn(m, k, device=DEV), torch.randn(k, n, device=DEV)
        t0 = time.perf_counter()
        for _ in range(reps):
            a @ b
        return {"seconds": elapsed(t0)}

    def train(self, req):
        b, t, vocab = req["batch"], req["seq"], self.cfg["vocab_size"]
        x = batch_ids(b, t, vocab, req["salt"])
        y = batch_ids(b, t, vocab, req["salt"] + 1)
        if self.opt is None:
            self.opt = adamw(self.model.parameters(), req["lr"])
        t0 = time.perf_counter()
        logits = self.model.logits(self.model.hidden(x))
        loss = F.cross_entropy(logits.view(-1, vocab), y.view(-1))
        loss.backward()
        torch.nn.utils.clip_grad_norm_(self.model.parameters(), 1.0)
        self.opt.step()
        self.opt.zero_grad(set_to_none=True)
        return {"seconds": elapsed(t0), "loss": loss.item()}

    def generate(self, req):
        prompts = batch_ids(req["batch"], req["prompt"], self.cfg["vocab_size"], req["salt"])
        t0 = time.perf_counter()
        tokens, _ = generate(self.model, prompts, req["new_tokens"], req.get("cached", True))
        return {"seconds": elapsed(t0), "tokens": tokens.numel()}

    @torch.no_grad()
    def score(self, req):
        """The three PPO scoring forwards on full sequences: reference log-probs, values, reward (last token)."""
        self.ensure_ppo(req)
        ids = batch_ids(req["batch"], req["seq"], self.cfg["vocab_size"], req["salt"])
        t0 = time.perf_counter()
        ref_logp = F.log_softmax(self.ppo["ref"].logits(self.ppo["ref"].hidden(ids[:, :-1])), -1) \
            .gather(-1, ids[:, 1:, None]).squeeze(-1)
        values = self.ppo["value"](ids)
        reward = self.ppo["rm"](ids)[:, -1]
        check = ref_logp.sum().item() + values.sum().item() + reward.sum().item()
        return {"seconds": elapsed(t0), "check": check}

    def ensure_ppo(self, req):
        if self.ppo is not None:
            return
        ref = self.new_gpt().requires_grad_(False)
        value = ScoreModel(self.new_gpt()).to(DEV)
        rm = ScoreModel(self.new_gpt()).to(DEV).requires_grad_(False)
        self.ppo = {"ref": ref, "value": value, "rm": rm,
                    "opt": adamw(list(self.model.parameters()) + list(value.parameters()), req.get("lr", 3e-5))}

    def ppo_step(self, req):
        """One PPO iteration as in TRL's PPOTrainer / plaudit's PpoTrainer: rollout with the KV cache, reward-model
        score, reference log-probs and values, per-token KL reward, GAE, whitened advantages, then ppo_epochs x
        shuffled minibatches of the clipped policy + clipped value loss with gradient clipping and AdamW."""
        self.ensure_ppo(req)
        policy = self.model
        ref, value, rm, opt = (self.ppo[k] for k in ("ref", "value", "rm", "opt"))
        n, p, r, mb = req["batch"], req["prompt"], req["response"], req["minibatch"]
        beta, gamma, lam, clip, clip_v, vf_coef = 0.05, 1.0, 0.95, 0.2, 0.2, 0.1
        prompts = batch_ids(n, p, self.cfg["vocab_size"], req["salt"])
        t0 = time.perf_counter()
        tokens, logp = generate(policy, prompts, r)
        seq = torch.cat([prompts, tokens], 1)
        with torch.no_grad():
            score = rm(seq)[:, -1]
            # state before each response token: hidden positions p-1 .. p+r-2
            ref_logp = F.log_softmax(ref.logits(ref.hidden(seq)[:, p - 1:-1]), -1).gather(-1, tokens[..., None]) \
                .squeeze(-1)
            values = value(seq)[:, p - 1:-1]
        rewards = -beta * (logp - ref_logp)
        rewards[:, -1] += score
        adv = torch.zeros_like(rewards)
        last = torch.zeros(n, device=DEV)
        for t in reversed(range(r)):
            next_v = values[:, t + 1] if t + 1 < r else torch.zeros(n, device=DEV)
            delta = rewards[:, t] + gamma * next_v - values[:, t]
            last = delta + gamma * lam * last
            adv[:, t] = last
        returns = adv + values
        adv = whiten(adv)
        stats = []
        for _ in range(req["epochs"]):
            for idx in torch.randperm(n).split(mb):
                s = seq[idx]
                logits = policy.logits(policy.hidden(s)[:, p - 1:-1])
                new_logp = F.log_softmax(logits, -1).gather(-1, tokens[idx][..., None]).squeeze(-1)
                ratio = torch.exp(new_logp - logp[idx])
                pg = torch.max(-adv[idx] * ratio, -adv[idx] * ratio.clamp(1 - clip, 1 + clip)).mean()
                v = value(s)[:, p - 1:-1]
                v_clipped = values[idx] + (v - values[idx]).clamp(-clip_v, clip_v)
                vf = 0.5 * torch.max((v - returns[idx]) ** 2, (v_clipped - returns[idx]) ** 2).mean()
                loss = pg + vf_coef * vf
                # the statistics TRL's PPO trainer logs for every minibatch (plaudit's PpoTrainer logs the same)
                prob = F.softmax(logits, -1)
                entropy = (torch.logsumexp(logits, -1) - (prob * logits).sum(-1)).mean()
                approx_kl = 0.5 * ((new_logp - logp[idx]) ** 2).mean()
                clip_frac = ((ratio - 1).abs() > clip).float().mean()
                stats.append([entropy.item(), approx_kl.item(), clip_frac.item(), pg.item(), vf.item()])
                opt.zero_grad(set_to_none=True)
                loss.backward()
                torch.nn.utils.clip_grad_norm_([q for g in opt.param_groups for q in g["params"]], 1.0)
                opt.step()
        return {"seconds": elapsed(t0),
                "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}


def rss_mb():
    """Resident memory now (the baseline: interpreter, torch, one model)."""
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def main():
    bench = None
    for line in sys.stdin:
        req = json.loads(line)
        op = req["op"]
        try:
            if op == "init":
                global DEV
                DEV = torch.device(req.get("device", "cpu"))
                torch.set_num_threads(req["threads"])
                bench = Bench(req)
                reply = {"torch": torch.__version__, "threads": torch.get_num_threads(),
                         "interop_threads": torch.get_num_interop_threads(), "rss_mb": rss_mb()}
            elif op == "quit":
                break
            else:
                reply = getattr(bench, {"ppo": "ppo_step"}.get(op, op))(req)
        except Exception as e:  # reported to the JVM side, which stops with the message
            reply = {"error": f"{type(e).__name__}: {e}"}
        sys.stdout.write(json.dumps(reply) + "\n")
        sys.stdout.flush()


if __name__ == "__main__":
    # interop threads can only be set before any parallel work
    torch.set_num_interop_threads(int(sys.argv[1]) if len(sys.argv) > 1 else 1)
    main()
