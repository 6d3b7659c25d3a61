#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
"""Detection latency: from an offending packet's send to its alert line.

Runs `mtuguard watch --json` in the lab's node namespace with its stdout on a
pipe, and a sender in the web Pod's namespace that sends one 1500-byte DF UDP
datagram per request, each from a new source port (a new flow, so that the
first packet is reported at once rather than folded). For each trial the time
from the request to the arrival of the alert naming that port is recorded.

    latency.py TRIALS PIN_DIR OUT_JSON      (the lab must be up: tools/lab.sh)
"""
import json
import os
import select
import statistics
import subprocess
import sys
import time

SENDER = r"""
import socket, sys
IP_MTU_DISCOVER, IP_PMTUDISC_DO = 10, 2
for line in sys.stdin:
    port = int(line)
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.setsockopt(socket.IPPROTO_IP, IP_MTU_DISCOVER, IP_PMTUDISC_DO)
    s.bind(("0.0.0.0", port))
    s.sendto(b"x" * 1472, (sys.argv[1], 9))
    s.close()
    print("sent", flush=True)
"""


def lab_env(root):
    out = subprocess.run([os.path.join(root, "tools/lab.sh"), "env"], capture_output=True,
                         text=True, check=True).stdout
    return dict(line.split("=", 1) for line in out.split())


def wait_line(proc, predicate, timeout):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        ready, _, _ = select.select([proc.stdout], [], [], deadline - time.monotonic())
        if not ready:
            break
        line = proc.stdout.readline()
        if not line:
            break
        try:
            event = json.loads(line)
        except ValueError:
            continue
        if predicate(event):
            return event
    return None


def main():
    trials, pin, out_json = int(sys.argv[1]), sys.argv[2], sys.argv[3]
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    env = lab_env(root)
    watch = subprocess.Popen(
        ["nsenter", "--net=/run/netns/" + env["NS_NODE"], os.path.join(root, "mtuguard"),
         "watch", "--json", "--pin", pin, "--uplink", env["UPLINK"], "--cni-cache",
         env["LAB_CNI_CACHE"]], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    sender = subprocess.Popen(["ip", "netns", "exec", env["NS_WEB"], sys.executable, "-c", SENDER,
                               env["REMOTE_IP"]], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                              text=True)
    latencies, missed = [], 0
    try:
        if not wait_line(watch, lambda e: e.get("event") == "start", 30):
            sys.exit("latency: the watch did not start")
        for i in range(trials):
            port = 20000 + i
            t0 = time.monotonic()
            sender.stdin.write(f"{port}\n")
            sender.stdin.flush()
            sender.stdout.readline()
            alert = wait_line(watch, lambda e, p=port: e.get("event") == "too_big"
                              and e.get("sport") == p, 5)
            if alert is None:
                missed += 1
                continue
            latencies.append((time.monotonic() - t0) * 1000)
    finally:
        sender.stdin.close()
        sender.wait()
        watch.send_signal(2)
        watch.communicate(timeout=30)
    latencies.sort()
    result = {
        "trials": trials,
        "missed": missed,
        "p50_ms": round(statistics.median(latencies), 3) if latencies else None,
        "p99_ms": round(latencies[max(0, int(len(latencies) * 0.99) - 1)], 3) if latencies else None,
        "max_ms": round(latencies[-1], 3) if latencies else None,
    }
    with open(out_json, "w") as f:
        json.dump(result, f)
    print(f"detection latency over {trials} trials: p50 {result['p50_ms']} ms, "
          f"p99 {result['p99_ms']} ms, max {result['max_ms']} ms, missed {missed}")


if __name__ == "__main__":
    main()
