"""The linkage network: projection into networkx, paths, centrality, communities, gaps and export."""
