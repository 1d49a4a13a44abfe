"""``make bench``: the suite's speed on this machine, each figure next to the ceiling of
its own stack, measured in the same run (docs/performance.md explains the method).

Phases, in this order so that one never loads the machine while another measures:
start-up (:mod:`.startup`), HTTP throughput and latency with wrk (:mod:`.throughput`),
RSS per worker after that load, the stats worker's events/s with one and two workers,
and the click delay from redirect to counted at a fixed rate (:mod:`.clicks`).
Services whose package is not installed are reported as "not available yet".
"""
