"""The performance model: predicts a candidate configuration's duration, cost and success by
replaying recorded executions through it, reports its uncertainty and refuses what the data
cannot support."""
