"""The pyzmq twin of `digits bench zmq`, for Scripts/bench-zmq.

A DEALER (this thread) sends a message of --size bytes to a ROUTER on a second thread, which
sends a message of the same size back; both sides send without copying (copy=False) and
receive frames without copying them out. Prints one JSON object per line and transport, in the
same shape as `digits bench zmq --json`.
"""
import argparse
import json
import math
import os
import tempfile
import threading
import time

import zmq


def percentile(sorted_values, p):
    """Nearest rank, as digits computes it."""
    return sorted_values[max(0, math.ceil(p * len(sorted_values)) - 1)]


def peer(context, endpoint, size, rounds, server_secret, bound, bound_event, failure):
    router = context.socket(zmq.ROUTER)
    router.linger = 1000  # closing right after the last reply must not drop it
    router.rcvtimeo = 10_000
    try:
        if server_secret is not None:
            router.curve_server = True
            router.curve_secretkey = server_secret
        router.bind(endpoint)
        bound.append(router.last_endpoint.decode())
    except Exception as error:  # reported to the main thread
        failure.append(error)
        return
    finally:
        bound_event.set()
    payload = bytes(size)
    try:
        for _ in range(rounds):
            identity, _request = router.recv_multipart(copy=False)
            router.send_multipart([identity, payload], copy=False)
    except Exception as error:
        failure.append(error)
    finally:
        router.close()


def measure(transport, size, iterations, warmup):
    context = zmq.Context()
    server_public, server_secret = zmq.curve_keypair()
    client_public, client_secret = zmq.curve_keypair()
    ipc_path = os.path.join(tempfile.gettempdir(), f"pyzmq-bench-{os.getpid()}.sock")
    endpoint = f"ipc://{ipc_path}" if transport == "ipc" else "tcp://127.0.0.1:*"
    bound, bound_event, failure = [], threading.Event(), []
    thread = threading.Thread(target=peer, args=(context, endpoint, size, warmup + iterations,
                                                 server_secret if transport == "curve" else None,
                                                 bound, bound_event, failure))
    thread.start()
    bound_event.wait(10)
    if failure or not bound:
        raise RuntimeError(f"{transport}: the ROUTER could not bind: {failure}")
    dealer = context.socket(zmq.DEALER)
    dealer.linger = 0
    dealer.rcvtimeo = 10_000
    if transport == "curve":
        dealer.curve_publickey = client_public
        dealer.curve_secretkey = client_secret
        dealer.curve_serverkey = server_public
    dealer.connect(bound[0])
    payload = bytes(size)
    times = []
    clock = time.perf_counter_ns
    for round_ in range(warmup + iterations):
        start = clock()
        dealer.send(payload, copy=False)
        try:
            reply = dealer.recv(copy=False)
        except zmq.Again:
            raise RuntimeError(f"{transport}: no reply within 10 s in round {round_}; the ROUTER: {failure}")
        elapsed = clock() - start
        if len(reply.buffer) != size:
            raise RuntimeError(f"{transport}: a reply of {len(reply.buffer)} bytes, not {size}")
        if round_ >= warmup:
            times.append(elapsed / 1000)
    thread.join(10)
    dealer.close()
    context.term()
    if transport == "ipc" and os.path.exists(ipc_path):
        os.unlink(ipc_path)
    if failure:
        raise RuntimeError(f"{transport}: {failure[0]}")
    times.sort()
    return {"transport": transport, "bytes": size, "iterations": iterations,
            "median_us": percentile(times, 0.5), "p99_us": percentile(times, 0.99)}


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--iterations", type=int, default=2000)
    parser.add_argument("--warmup", type=int, default=200)
    parser.add_argument("--size", type=int, default=407_080)
    parser.add_argument("--transports", action="append", choices=["tcp", "ipc", "curve"])
    parser.add_argument("--json", action="store_true", help="accepted for symmetry; output is always JSON")
    options = parser.parse_args()
    for transport in options.transports or ["tcp", "ipc", "curve"]:
        print(json.dumps(measure(transport, options.size, options.iterations, options.warmup)), flush=True)


if __name__ == "__main__":
    main()
