"""After the merge: watching merged autotune changes for regressions (pure core)."""
