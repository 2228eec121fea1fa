# One-off manual check: a hand-written safetensors reader/writer in Python (struct + json), no safetensors package.
import json, struct, sys, torch, numpy as np
import os
import torch.nn as nn
D = os.environ.get("DIR", "/tmp/nncheck")
DT = {"F32": (np.float32, torch.float32), "F64": (np.float64, torch.float64), "F16": (np.float16, torch.float16), "I64": (np.int64, torch.int64)}
def read(path):
    b = open(path, "rb").read()
    n = struct.unpack("<Q", b[:8])[0]
    h = json.loads(b[8:8+n]); data = b[8+n:]
    meta = h.pop("__metadata__", None); out = {}
    for k, v in h.items():
        s, e = v["data_offsets"]
        if v["dtype"] == "BF16":
            out[k] = torch.from_numpy(np.frombuffer(data[s:e], dtype=np.int16).copy()).view(torch.bfloat16).reshape(v["shape"])
        else:
            out[k] = torch.from_numpy(np.frombuffer(data[s:e], dtype=DT[v["dtype"]][0]).copy()).reshape(v["shape"])
    return out, meta, {k: v["dtype"] for k, v in h.items()}
def write(path, sd, dtypes):
    items = sorted(sd.items())
    header, blobs, off = {"__metadata__": {"format": "pt"}}, [], 0
    for k, t in items:
        dt = dtypes.get(k, "F32")
        if dt == "BF16":
            raw = t.to(torch.bfloat16).view(torch.int16).numpy().tobytes()
        else:
            raw = t.detach().numpy().astype(DT[dt][0]).tobytes()
        header[k] = {"dtype": dt, "shape": list(t.shape), "data_offsets": [off, off + len(raw)]}
        blobs.append(raw); off += len(raw)
    hb = json.dumps(header, separators=(",", ":")).encode()
    hb += b" " * ((8 - len(hb) % 8) % 8)
    open(path, "wb").write(struct.pack("<Q", len(hb)) + hb + b"".join(blobs))
def model():
    return nn.Sequential(nn.Linear(3, 4), nn.BatchNorm1d(4), nn.ReLU(), nn.Linear(4, 2))
if sys.argv[1] == "read":
    sd, meta, dts = read(D + "/java.safetensors")
    print("java file dtypes:", dts, "metadata:", meta)
    m = model(); print(m.load_state_dict(sd, strict=True)); m.eval()
    io = json.load(open(D + "/java_io.json"))
    x = torch.tensor(io["x"]).reshape(6, 3)
    y = m(x).detach().numpy().ravel()
    print("torch forward of java weights vs java: max abs diff", float(np.abs(y - np.array(io["y"], dtype=np.float32)).max()))
    print("num_batches_tracked:", sd["1.num_batches_tracked"], sd["1.num_batches_tracked"].dtype)
else:
    torch.manual_seed(0); m = model()
    opt = torch.optim.SGD(m.parameters(), lr=0.1); x = torch.randn(6, 3)
    for _ in range(3):
        opt.zero_grad(); m(x).pow(2).mean().backward(); opt.step()
    m.eval(); y = m(x)
    # layer 0 as F64 (Java converts to float32), the counter as I64, the rest F32
    write(D + "/torch.safetensors", m.state_dict(), {"0.weight": "F64", "0.bias": "F64", "1.num_batches_tracked": "I64"})
    json.dump({"x": x.numpy().ravel().tolist(), "y": y.detach().numpy().ravel().tolist()}, open(D + "/torch_io.json", "w"))
    print("wrote torch.safetensors; num_batches_tracked =", int(m[1].num_batches_tracked))
