"""An independent PyTorch implementation of calico's transformer (model/transformer.h).

Built from torch.nn modules and autograd, sharing no code with the C++ model; it is the
reference for tests/golden/make_transformer_golden.py (the golden fixture) and
bench/compare_torch.py (the side-by-side benchmark). Needs Debian's python3-torch.

Architecture (DESIGN.md "The token stream"):
  x = token_embedding[id] at token positions, or at image positions
      proj(patch + conv3x3(GELU(GroupNorm1(patch)))) + row_embedding + col_embedding,
      plus local_embedding[local] where local >= 0;
  per block (pre-LayerNorm): x += proj(causal_attention(rotary(qkv(LN1(x)))));
                             x += fc2(GELU(fc(LN2(x))));
  logits = LN_final(x) @ head, at position t - 1 of every target t (or everywhere).
GELU is the tanh approximation; rotary pairs element i with i + head_dim / 2.
"""

import math

import torch
import torch.nn as nn
import torch.nn.functional as F


def tensor_layout(cfg):
    """(name, shape, is_norm_scale) of every parameter in calico's flat buffer order.

    Shapes are calico's: linear weights [in, out], the conv weight [out, ky, kx, in].
    """
    c, f, v = cfg["width"], cfg["ff_width"], cfg["vocab_size"]
    layout = [
        ("token_embedding", (v, c), False),
        ("local_embedding", (cfg["max_local_positions"], c), False),
        ("patch.gn_scale", (3,), True),
        ("patch.gn_shift", (3,), False),
        ("patch.conv_weight", (3, 3, 3, 3), False),
        ("patch.conv_bias", (3,), False),
        ("patch.proj_weight", (768, c), False),
        ("patch.proj_bias", (c,), False),
        ("patch.row_embedding", (cfg["patch_position_buckets"], c), False),
        ("patch.col_embedding", (cfg["patch_position_buckets"], c), False),
    ]
    for l in range(cfg["num_layers"]):
        p = "layer%d." % l
        layout += [
            (p + "ln1_scale", (c,), True),
            (p + "ln1_shift", (c,), False),
            (p + "qkv_weight", (c, 3 * c), False),
            (p + "qkv_bias", (3 * c,), False),
            (p + "proj_weight", (c, c), False),
            (p + "proj_bias", (c,), False),
            (p + "ln2_scale", (c,), True),
            (p + "ln2_shift", (c,), False),
            (p + "fc_weight", (c, f), False),
            (p + "fc_bias", (f,), False),
            (p + "fc2_weight", (f, c), False),
            (p + "fc2_bias", (c,), False),
        ]
    layout += [
        ("final_ln_scale", (c,), True),
        ("final_ln_shift", (c,), False),
        ("head_weight", (c, v), False),
    ]
    return layout


class SplitMix64:
    """calico's base/random.h generator, bit for bit."""

    MASK = (1 << 64) - 1

    def __init__(self, seed):
        self.state = seed & self.MASK

    def next(self):
        self.state = (self.state + 0x9E3779B97F4A7C15) & self.MASK
        z = self.state
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & self.MASK
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & self.MASK
        return z ^ (z >> 31)

    def uniform(self):
        return (self.next() >> 11) * (1.0 / 9007199254740992.0)


def golden_weights(cfg, seed, scale=0.2):
    """The golden test's weights: per value r = 2u - 1 from SplitMix64(seed) in buffer
    order; norm scales 1 + scale * r, everything else scale * r, rounded to float32.
    Returns {name: float64 tensor in calico's shape}."""
    rng = SplitMix64(seed)
    out = {}
    for name, shape, is_scale in tensor_layout(cfg):
        n = math.prod(shape)
        vals = [(2.0 * rng.uniform() - 1.0) * scale for _ in range(n)]
        t = torch.tensor(vals, dtype=torch.float32).to(torch.float64).reshape(shape)
        out[name] = t + 1.0 if is_scale else t
    return out


def rotary(x, base):
    """Rotates x [B, H, T, D] by position t in the rotate-halves layout."""
    d = x.shape[-1]
    half = d // 2
    i = torch.arange(half, dtype=torch.float64)
    freqs = base ** (-2.0 * i / d)
    ang = torch.arange(x.shape[2], dtype=torch.float64)[:, None] * freqs[None, :]
    cos, sin = torch.cos(ang).to(x.dtype), torch.sin(ang).to(x.dtype)
    x1, x2 = x[..., :half], x[..., half:]
    return torch.cat([x1 * cos - x2 * sin, x1 * sin + x2 * cos], dim=-1)


class Block(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        c, f = cfg["width"], cfg["ff_width"]
        eps = cfg["norm_epsilon"]
        self.heads, self.head_dim, self.base = cfg["num_heads"], cfg["head_dim"], cfg["rope_base"]
        self.ln1 = nn.LayerNorm(c, eps=eps)
        self.qkv = nn.Linear(c, 3 * c)
        self.proj = nn.Linear(c, c)
        self.ln2 = nn.LayerNorm(c, eps=eps)
        self.fc = nn.Linear(c, f)
        self.fc2 = nn.Linear(f, c)

    def forward(self, x):
        b, t, c = x.shape
        q, k, v = self.qkv(self.ln1(x)).split(c, dim=-1)
        shape = (b, t, self.heads, self.head_dim)
        q, k, v = (z.view(shape).transpose(1, 2) for z in (q, k, v))
        q, k = rotary(q, self.base), rotary(k, self.base)
        scores = q @ k.transpose(-1, -2) / math.sqrt(self.head_dim)
        mask = torch.ones(t, t, dtype=torch.bool, device=x.device).triu(1)
        att = scores.masked_fill(mask, float("-inf")).softmax(-1) @ v
        x = x + self.proj(att.transpose(1, 2).reshape(b, t, c))
        return x + self.fc2(F.gelu(self.fc(self.ln2(x)), approximate="tanh"))


class Reference(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        c, v = cfg["width"], cfg["vocab_size"]
        self.cfg = cfg
        self.tok = nn.Embedding(v, c)
        self.local = nn.Embedding(cfg["max_local_positions"], c)
        self.gn = nn.GroupNorm(1, 3, eps=cfg["norm_epsilon"])
        self.conv = nn.Conv2d(3, 3, 3, padding=1)
        self.patch_proj = nn.Linear(768, c)
        self.row = nn.Embedding(cfg["patch_position_buckets"], c)
        self.col = nn.Embedding(cfg["patch_position_buckets"], c)
        self.blocks = nn.ModuleList([Block(cfg) for _ in range(cfg["num_layers"])])
        self.lnf = nn.LayerNorm(c, eps=cfg["norm_epsilon"])
        self.head = nn.Linear(c, v, bias=False)

    def named_calico_parameters(self):
        """(calico name, torch parameter, to_calico) where to_calico maps the torch
        tensor to calico's layout (transposes of linear and conv weights)."""
        ident = lambda t: t
        tr = lambda t: t.t()
        conv = lambda t: t.permute(0, 2, 3, 1)  # [out, in, ky, kx] -> [out, ky, kx, in]
        out = [
            ("token_embedding", self.tok.weight, ident),
            ("local_embedding", self.local.weight, ident),
            ("patch.gn_scale", self.gn.weight, ident),
            ("patch.gn_shift", self.gn.bias, ident),
            ("patch.conv_weight", self.conv.weight, conv),
            ("patch.conv_bias", self.conv.bias, ident),
            ("patch.proj_weight", self.patch_proj.weight, tr),
            ("patch.proj_bias", self.patch_proj.bias, ident),
            ("patch.row_embedding", self.row.weight, ident),
            ("patch.col_embedding", self.col.weight, ident),
        ]
        for l, blk in enumerate(self.blocks):
            p = "layer%d." % l
            out += [
                (p + "ln1_scale", blk.ln1.weight, ident),
                (p + "ln1_shift", blk.ln1.bias, ident),
                (p + "qkv_weight", blk.qkv.weight, tr),
                (p + "qkv_bias", blk.qkv.bias, ident),
                (p + "proj_weight", blk.proj.weight, tr),
                (p + "proj_bias", blk.proj.bias, ident),
                (p + "ln2_scale", blk.ln2.weight, ident),
                (p + "ln2_shift", blk.ln2.bias, ident),
                (p + "fc_weight", blk.fc.weight, tr),
                (p + "fc_bias", blk.fc.bias, ident),
                (p + "fc2_weight", blk.fc2.weight, tr),
                (p + "fc2_bias", blk.fc2.bias, ident),
            ]
        out += [
            ("final_ln_scale", self.lnf.weight, ident),
            ("final_ln_shift", self.lnf.bias, ident),
            ("head_weight", self.head.weight, tr),
        ]
        return out

    def load_calico(self, weights):
        """Copies {calico name: tensor in calico's shape} into the modules."""
        with torch.no_grad():
            for name, param, to_calico in self.named_calico_parameters():
                to_calico(param).copy_(weights[name])

    def forward(self, batch, head_everywhere=False):
        """Mean cross-entropy over targets and the logits at their preceding positions
        ([num_targets, V], (b, t) order); with head_everywhere, logits at every position
        (the loss is unchanged)."""
        ids, patch_index, local = batch["ids"], batch["patch_index"], batch["local_position"]
        b, t = ids.shape
        tok_mask = (ids >= 0).unsqueeze(-1)
        x = torch.where(tok_mask, self.tok(ids.clamp(min=0)), 0.0)
        if batch["patches"].shape[0] > 0:
            p = batch["patches"].view(-1, 16, 16, 3).permute(0, 3, 1, 2)
            r = p + self.conv(F.gelu(self.gn(p), approximate="tanh"))
            r = r.permute(0, 2, 3, 1).reshape(-1, 768)
            pe = self.patch_proj(r) + self.row(batch["patch_row"]) + self.col(batch["patch_col"])
            x = x + torch.where(~tok_mask, pe[patch_index.clamp(min=0)], 0.0)
        x = x + torch.where((local >= 0).unsqueeze(-1), self.local(local.clamp(min=0)), 0.0)
        for blk in self.blocks:
            x = blk(x)
        h = self.lnf(x)
        mask = batch["loss_mask"].bool()
        targets = ids[mask]
        if head_everywhere:
            all_logits = self.head(h)  # [B, T, V]
            prev = torch.zeros_like(mask)
            prev[:, :-1] = mask[:, 1:]
            logits = all_logits[prev]
        else:
            rows = torch.zeros_like(mask)
            rows[:, :-1] = mask[:, 1:]
            logits = self.head(h[rows])
        return F.cross_entropy(logits, targets), logits
