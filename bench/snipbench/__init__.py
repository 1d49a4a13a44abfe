"""``make bench``: the suite's speed on this machine, each figure next to the ceilings of
its own stack, measured in the same run (docs/performance.md explains the method).

Phases, in this order so that one never loads the machine while another measures:
HTTP throughput and latency with wrk (:mod:`.throughput`; the bare-Flask ceiling in
:mod:`.ceiling`, the same-work ceiling in :mod:`.same_work`, earlier code's twins in
:mod:`.baseline`), RSS per worker after that load, start-up (:mod:`.footprint`), the
stats worker's events/s with one and two workers and the click delay from redirect to
counted at a fixed rate (:mod:`.clicks`), then the scale series (:mod:`.scale`, data
from :mod:`.dataset`, chart from :mod:`.chart`). Services whose package is not
installed are reported as "not available yet".
"""
