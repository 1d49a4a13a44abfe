"""Support for the e2e tests (tests/e2e): a cluster to talk to, the suite's images in its
registry, an overlay deployed into a namespace of the run's own, and scripts run inside
the cluster. The same code drives make cluster's cluster and any KUBECONFIG's (kind...).
"""
