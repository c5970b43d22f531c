"""SPARQL: running queries with a deadline, the safety gate, results, remote endpoints and the query library."""
