"""What the Python comparison scripts measure, in the form of Loket's `bench` lines.

Shared by bench/presidio/compare.py and bench/reference/bm25_compare.py, so both compute
percentiles, CPU time and peak memory exactly as `loket bench` does.
"""
import math
import resource
import time


def cpu_seconds():
    """User plus system CPU time of this process so far."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def percentile(sorted_values, fraction):
    """Nearest rank, as Loket's Latencies::percentile."""
    rank = math.ceil(len(sorted_values) * fraction)
    return sorted_values[min(max(rank - 1, 0), len(sorted_values) - 1)]


def peak_rss_mib():
    """This process's peak resident memory in MiB (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def latency_fields(sorted_seconds):
    """`p50_us=... p95_us=... p99_us=... max_us=...` of sorted durations in seconds."""
    micros = {label: percentile(sorted_seconds, fraction) * 1e6
              for label, fraction in (("p50", 0.50), ("p95", 0.95), ("p99", 0.99))}
    return (f"p50_us={micros['p50']:.1f} p95_us={micros['p95']:.1f} p99_us={micros['p99']:.1f} "
            f"max_us={sorted_seconds[-1] * 1e6:.1f}")


def timed(items, call):
    """Calls `call` on each item, one at a time; returns the results, the sorted durations in
    seconds, the wall time and the CPU time of the whole loop."""
    results = []
    durations = []
    cpu_before = cpu_seconds()
    started = time.perf_counter()
    for item in items:
        start = time.perf_counter()
        results.append(call(item))
        durations.append(time.perf_counter() - start)
    wall = time.perf_counter() - started
    cpu = cpu_seconds() - cpu_before
    durations.sort()
    return results, durations, wall, cpu
