"""For shape_colour_lookup workings ("capsule blue box white, box white"): on colour questions
about 2-4 objects, count each step right against the model's own caption and the truth."""
import json, sys, collections, re

SHAPES = {"box", "sphere", "cylinder", "capsule", "ellipsoid"}

def pairs_of(caption):
    cap = caption.split()
    out = []
    for i, t in enumerate(cap):
        if t in SHAPES: out += [t, cap[i - 1]]
    return out

for path in sys.argv[1:]:
    rep = json.load(open(path))
    for task in rep["vision_language"]:
        if task["task"] not in ("scenes/vqa", "scenes/vqa_text"): continue
        ex = [x for x in task["examples"] if x["kind"] == "colour" and x["objects"] >= 2]
        c = collections.Counter()
        for x in ex:
            shape = re.sub(r"[?.]$", "", x["question"].strip()).split()[-1]
            c["n"] += 1
            c["right"] += x["exact"]
            own = x["caption"]  # the model's own (vqa) or the given one (vqa_text)
            truth = x["expected_caption"] or own
            c["caption exact"] += own == truth
            parts = x["working"].split(", ")
            if len(parts) != 2: c["working not two parts"] += 1; continue
            p, l = parts[0].split(), parts[1].split()
            c["pairs = own caption's pairs"] += p == pairs_of(own)
            c["pairs = truth's pairs"] += p == pairs_of(truth)
            c["asked shape written"] += len(l) == 2 and l[0] == shape
            if len(l) == 2 and shape in p:
                i = p.index(shape)
                c["lookup = colour after shape in pairs"] += i + 1 < len(p) and p[i + 1] == l[1]
            c["answer = looked-up colour"] += len(l) == 2 and x["answer"] == l[1]
        print(f"{path} {task['task']}: " + "; ".join(f"{k} {v}" for k, v in c.items()))
