"""Running the assistant's processes: the local supervisor (supervise.py, run_local.py) and the cluster."""
