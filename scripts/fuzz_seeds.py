#!/usr/bin/env python3
"""Seed corpora for `make fuzz` (scripts/fuzz.sh), from the files the project already has:
recorded fixtures (Tests/Fixtures) for the SSE parser, the chunk decoder and the archive reader,
the suites under Probes/ for the suite parser, and the targets-file examples for the targets file.
Usage: fuzz_seeds.py OUT_DIR  (writes OUT_DIR/<target>/seed-*)."""
import base64, glob, hashlib, json, os, sys

out = sys.argv[1]
root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

def write(target, data):
    os.makedirs(os.path.join(out, target), exist_ok=True)
    name = "seed-" + hashlib.sha1(data).hexdigest()[:16]
    with open(os.path.join(out, target, name), "wb") as f:
        f.write(data)

def chunk_bytes(chunk):
    if "text" in chunk and chunk["text"] is not None:
        return chunk["text"].encode("utf-8")
    return base64.b64decode(chunk.get("base64") or "")

transcript_lines = []
for path in sorted(glob.glob(os.path.join(root, "Tests/Fixtures/*.json"))):
    if path.endswith(".verdict.json"):
        continue
    fixture = json.load(open(path, encoding="utf-8"))
    transcript = fixture.get("transcript", {})
    for attempt in transcript.get("attempts", []):
        body = b"".join(chunk_bytes(c) for c in attempt.get("chunks", []))
        # First byte chooses the read size in the harness: one seed per interesting size.
        for step in (0, 3, 16):
            write("sse", bytes([step]) + body)
            write("chunks", bytes([step]) + body)
    record = {"seq": len(transcript_lines) + 1, "prev": "0" * 64, "probe": fixture.get("probe"), "transcript": transcript}
    transcript_lines.append(json.dumps(record, sort_keys=True, separators=(",", ":")))

manifest = {"formatVersion": 1, "runID": "fuzz", "status": "complete", "planned": 1, "completed": 1}
for line in transcript_lines[:8]:
    write("archive", json.dumps(manifest).encode() + b"\0" + line.encode() + b"\n\0")

for path in glob.glob(os.path.join(root, "Probes/**/*.yaml"), recursive=True):
    write("suite", open(path, "rb").read())

targets = [
    b"targets:\n  - name: local\n    base_url: http://127.0.0.1:8080/v1\n    model: m\n",
    b"targets:\n  - name: a\n    base_url: https://h/v1?key=x\n    model: m\n    headers: {X-Team: audit}\n"
    b"    parameters: {temperature: 0, max_tokens: 512, top_p: 1}\n    concurrency: 4\n    rate_limit: 60\n"
    b"    timeouts: {connect: 10, total: 300, stall: 60}\n    attempts: 3\n    extra_body: {a: &x [1, 2], b: *x}\n",
]
for data in targets:
    write("targets", data)
