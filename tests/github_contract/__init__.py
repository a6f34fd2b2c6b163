"""The vendored GitHub REST contract and a checker for requests and responses."""
