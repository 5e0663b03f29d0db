"""What ships: Dockerfiles, compose, manifests, nginx, systemd, the supervisor (supervise.py, run_local.py)
and the servers' command lines (command.py). The loopback cluster of the tests is harness/cluster.py."""
