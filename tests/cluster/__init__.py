"""The scale-out test: two of each server on real engines (PostgreSQL, Redis, haproxy), with faults.

``make test-cluster`` runs it (``pytest -m cluster tests/cluster``); see test_cluster.py.
"""
