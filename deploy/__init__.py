"""What ships: Dockerfiles, compose, manifests, nginx, systemd and the supervisor (supervise.py, run_local.py).
The loopback cluster of the tests and benchmarks is harness/cluster.py."""
