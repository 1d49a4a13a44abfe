"""Checks of the rendered Kubernetes manifests that would otherwise fail only in a cluster.

Each check takes the objects of one rendered overlay (a list of dicts) and returns the
problems it finds as sentences, empty when all is well: the tests assert that list is
empty for every overlay, and that it names the fault in a deliberately broken copy.
"""
