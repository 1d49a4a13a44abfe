"""What the tests lean on, never shipped and never run by users directly: a sandbox of
their own on real PostgreSQL and Redis (:mod:`.backing`), services started as production
starts them (:mod:`.processes`), a Service's load balancing in one process
(:mod:`.balancer`), steady client load (:mod:`.load`) and a rolling restart
(:mod:`.rollout`). make bench and make image-test use the first two as well."""
